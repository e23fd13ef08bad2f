using Google.Protobuf;
using Mlops.Modeling.Onnx.Proto;

namespace Mlops.Modeling.Onnx;

/// <summary>Writes an ONNX graph node by node: unique value names, typed attributes, initializers.</summary>
internal sealed class GraphBuilder
{
    /// <summary>The default ONNX operator set version we target (Softmax on any axis, ReduceSum with axes as input).</summary>
    public const int OnnxOpset = 15;

    /// <summary>ai.onnx.ml version 3: TreeEnsembleRegressor with *_as_tensor, LabelEncoder int64 → string.</summary>
    public const int OnnxMlOpset = 3;

    public const string MlDomain = "ai.onnx.ml";

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public GraphProto Graph { get; } = new() { Name = "mlops" };

    /// <summary>Reserves a name that must not be reused (graph inputs keep the original column names).</summary>
    public string Reserve(string name)
    {
        if (!_names.Add(name))
        {
            throw new InvalidOperationException($"The ONNX value name '{name}' is used twice.");
        }

        return name;
    }

    /// <summary>A fresh internal value name.</summary>
    public string Fresh(string hint)
    {
        string name;
        do
        {
            name = $"mlops/{hint}_{_counter++}";
        }
        while (_names.Contains(name));

        _names.Add(name);
        return name;
    }

    public void AddInput(string name, TensorProto.Types.DataType type, params long[] dims) =>
        Graph.Input.Add(ValueInfo(name, type, dims));

    public void AddOutput(string name, TensorProto.Types.DataType type, params long[] dims) =>
        Graph.Output.Add(ValueInfo(name, type, dims));

    /// <summary>A tensor value description; a dimension of −1 is the dynamic batch size <c>N</c>.</summary>
    public static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    /// <summary>Adds a node writing the named value <paramref name="output"/>; returns that name.</summary>
    public string NodeTo(string opType, IEnumerable<string> inputs, string output, string domain, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Domain = domain, Name = $"{opType}_{Graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>Adds a node whose single output gets a fresh name.</summary>
    public string Node(string opType, IEnumerable<string> inputs, string domain = "", params AttributeProto[] attributes) =>
        NodeTo(opType, inputs, Fresh(opType.ToLowerInvariant()), domain, attributes);

    public string FloatConstant(string hint, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string DoubleConstant(string hint, double[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Double };
        tensor.Dims.AddRange(dims);
        tensor.DoubleData.AddRange(values);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string Int64Constant(string hint, long[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attr(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Attr(string name, IEnumerable<float> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(values);
        return a;
    }

    public static AttributeProto Attr(string name, IEnumerable<string> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return a;
    }

    public static AttributeProto Attr(string name, TensorProto tensor) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = tensor };

    /// <summary>A double tensor attribute (the *_as_tensor attributes of the tree ensembles).</summary>
    public static TensorProto DoubleTensor(IReadOnlyCollection<double> values)
    {
        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Double };
        t.Dims.Add(values.Count);
        t.DoubleData.AddRange(values);
        return t;
    }

    public ModelProto ToModel(IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "Mlops.Modeling",
            ProducerVersion = typeof(GraphBuilder).Assembly.GetName().Version?.ToString() ?? "1.0",
            Graph = Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxOpset });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = MlDomain, Version = OnnxMlOpset });
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }
}
