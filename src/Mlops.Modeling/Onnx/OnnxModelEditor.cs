using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.ML;
using Mlops.Core.Errors;

namespace Mlops.Modeling.Onnx;

/// <summary>
/// Edits an ONNX model written by ML.NET's converter through the converter's own protobuf types: the message parser is
/// taken from <c>Microsoft.ML.OnnxConverter</c> (its generated <c>ModelProto</c> is internal there), everything else
/// goes through Google.Protobuf's public reflection API, by ONNX field names. So no copy of <c>onnx.proto</c> lives here;
/// a converter version that moves its types fails the export loudly.
/// </summary>
internal sealed class OnnxModelEditor
{
    private const string ModelProtoType = "Microsoft.ML.Model.OnnxConverter.OnnxCSharpToProtoWrapper+ModelProto";
    private readonly IMessage _model;
    private readonly FileDescriptor _file;

    private OnnxModelEditor(IMessage model)
    {
        _model = model;
        _file = model.Descriptor.File;
        Graph = (IMessage)Get(model, "graph");
    }

    public IMessage Graph { get; }

    public static OnnxModelEditor Parse(byte[] model)
    {
        var type = typeof(OnnxExportExtensions).Assembly.GetType(ModelProtoType)
                   ?? throw new MlopsException(ErrorCode.Internal, $"The ONNX converter no longer has {ModelProtoType}; the export cannot add its date steps.");
        var parser = (MessageParser)type.GetProperty("Parser")!.GetValue(null)!;
        return new OnnxModelEditor(parser.ParseFrom(model));
    }

    public byte[] ToBytes() => _model.ToByteArray();

    public IList Nodes => List(Graph, "node");

    public IList Inputs => List(Graph, "input");

    public IList Outputs => List(Graph, "output");

    public IList Initializers => List(Graph, "initializer");

    public static string NameOf(IMessage message) => (string)Get(message, "name");

    /// <summary>Adds (or raises to) an operator set import.</summary>
    public void ImportOpset(string domain, long version)
    {
        var imports = List(_model, "opset_import");
        var existing = imports.Cast<IMessage>().FirstOrDefault(i => (string)Get(i, "domain") == domain);
        if (existing is null)
        {
            imports.Add(New("OperatorSetIdProto", ("domain", domain), ("version", version)));
        }
        else if ((long)Get(existing, "version") < version)
        {
            Set(existing, "version", version);
        }
    }

    public void AddMetadata(string key, string value) => List(_model, "metadata_props").Add(New("StringStringEntryProto", ("key", key), ("value", value)));

    public IMessage Node(string op, IEnumerable<string> inputs, string output, string domain = "", params (string Name, object Value)[] attributes)
    {
        var node = New("NodeProto", ("op_type", op), ("domain", domain), ("name", output));
        foreach (var i in inputs)
        {
            List(node, "input").Add(i);
        }

        List(node, "output").Add(output);
        foreach (var (name, value) in attributes)
        {
            List(node, "attribute").Add(Attribute(name, value));
        }

        return node;
    }

    /// <summary>An int64 or float constant of shape [1] (broadcasts against [N, 1]), or a scalar when <paramref name="scalar"/>.</summary>
    public string Constant(string name, long value, bool scalar = false)
    {
        var tensor = New("TensorProto", ("name", name), ("data_type", 7));
        if (!scalar)
        {
            List(tensor, "dims").Add(1L);
        }

        List(tensor, "int64_data").Add(value);
        Initializers.Add(tensor);
        return name;
    }

    public string Constant(string name, float value)
    {
        var tensor = New("TensorProto", ("name", name), ("data_type", 1));
        List(tensor, "dims").Add(1L);
        List(tensor, "float_data").Add(value);
        Initializers.Add(tensor);
        return name;
    }

    /// <summary>A graph input of element type <paramref name="elementType"/> (ONNX enum) and shape [N, 1].</summary>
    public IMessage Input(string name, int elementType)
    {
        var dims = New("TensorShapeProto");
        List(dims, "dim").Add(New("TensorShapeProto.Dimension", ("dim_value", -1L)));
        List(dims, "dim").Add(New("TensorShapeProto.Dimension", ("dim_value", 1L)));
        var tensor = New("TypeProto.Tensor", ("elem_type", elementType), ("shape", dims));
        return New("ValueInfoProto", ("name", name), ("type", New("TypeProto", ("tensor_type", tensor))));
    }

    private IMessage Attribute(string name, object value)
    {
        var attribute = New("AttributeProto", ("name", name));
        var type = FindField("AttributeProto", "type").EnumType;
        object Kind(string k) => Enum.ToObject(type.ClrType, type.FindValueByName(k).Number);
        switch (value)
        {
            case long i:
                Set(attribute, "i", i);
                Set(attribute, "type", Kind("INT"));
                break;
            case float f:
                Set(attribute, "f", f);
                Set(attribute, "type", Kind("FLOAT"));
                break;
            case string s:
                Set(attribute, "s", ByteString.CopyFromUtf8(s));
                Set(attribute, "type", Kind("STRING"));
                break;
            case IEnumerable<string> strings:
                foreach (var s in strings)
                {
                    List(attribute, "strings").Add(ByteString.CopyFromUtf8(s));
                }

                Set(attribute, "type", Kind("STRINGS"));
                break;
            case IEnumerable<long> ints:
                foreach (var i in ints)
                {
                    List(attribute, "ints").Add(i);
                }

                Set(attribute, "type", Kind("INTS"));
                break;
            default:
                throw new ArgumentException($"Unsupported attribute value for '{name}'.", nameof(value));
        }

        return attribute;
    }

    private IMessage New(string typeName, params (string Field, object Value)[] fields)
    {
        var message = Descriptor(typeName).Parser.ParseFrom(ByteString.Empty);
        foreach (var (field, value) in fields)
        {
            Set(message, field, value);
        }

        return message;
    }

    private MessageDescriptor Descriptor(string typeName)
    {
        var path = typeName.Split('.');
        var descriptor = _file.MessageTypes.FirstOrDefault(m => m.Name == path[0]) ?? throw new InvalidOperationException($"No ONNX message {path[0]}.");
        foreach (var nested in path.Skip(1))
        {
            descriptor = descriptor.NestedTypes.FirstOrDefault(m => m.Name == nested) ?? throw new InvalidOperationException($"No ONNX message {typeName}.");
        }

        return descriptor;
    }

    private FieldDescriptor FindField(string typeName, string field) =>
        Descriptor(typeName).FindFieldByName(field) ?? throw new InvalidOperationException($"No field {typeName}.{field}.");

    private static FieldDescriptor Field(IMessage message, string name) =>
        message.Descriptor.FindFieldByName(name) ?? throw new InvalidOperationException($"No field {message.Descriptor.Name}.{name}.");

    private static object Get(IMessage message, string field) => Field(message, field).Accessor.GetValue(message);

    private static void Set(IMessage message, string field, object value) => Field(message, field).Accessor.SetValue(message, value);

    private static IList List(IMessage message, string field) => (IList)Get(message, field);
}
