using Mlops.Core.Projects;
using Mlops.Modeling.Featurization;
using Mlops.Modeling.Onnx.Proto;
using Mlops.Modeling.Serving;
using static Mlops.Modeling.Onnx.GraphBuilder;
using DataType = Mlops.Modeling.Onnx.Proto.TensorProto.Types.DataType;

namespace Mlops.Modeling.Onnx;

/// <summary>
/// Writes the ONNX graph of a feature plan plus a score graph: one typed input per original column → Imputer/Scaler and
/// OneHotEncoder → Concat → TreeEnsembleRegressor or LinearRegressor → calibration/softmax → <c>label</c> and
/// <c>probabilities</c> (classification) or <c>score</c> (regression).
/// </summary>
internal static class OnnxModelWriter
{
    public const string LabelOutput = "label";
    public const string ProbabilitiesOutput = "probabilities";
    public const string ScoreOutput = "score";
    public const string SignatureMetadataKey = "mlops.signature";

    public static ModelProto Write(FeaturePlan plan, ScoreGraph score, ModelSignature signature)
    {
        var g = new GraphBuilder();
        var features = WriteFeatures(g, plan);
        var raw = WriteRawScore(g, score.Raw, features, plan.VectorLength);
        WriteOutputs(g, plan, score, raw);
        return g.ToModel(new Dictionary<string, string> { [SignatureMetadataKey] = signature.ToJson() });
    }

    /// <summary>The signature our graphs have: inputs from the plan, outputs from the task.</summary>
    public static ModelSignature SignatureOf(FeaturePlan plan)
    {
        var inputs = plan.Columns.Select(c => c.Kind switch
        {
            FeatureKind.Numeric => new SignatureField(c.Name, SignatureTypes.Float, [-1, 1], Nullable: true),
            FeatureKind.Boolean => new SignatureField(c.Name, SignatureTypes.Bool, [-1, 1], Nullable: false),
            _ => new SignatureField(c.Name, SignatureTypes.String, [-1, 1], Nullable: true),
        }).ToList();
        IReadOnlyList<SignatureField> outputs = plan.Task == TaskKind.Regression
            ? [new SignatureField(ScoreOutput, SignatureTypes.Float, [-1, 1], false)]
            : [new SignatureField(LabelOutput, SignatureTypes.String, [-1], false), new SignatureField(ProbabilitiesOutput, SignatureTypes.Float, [-1, plan.ClassLabels.Count], false)];
        return new ModelSignature { Task = plan.Task, Inputs = inputs, Outputs = outputs, ClassLabels = plan.Task == TaskKind.Regression ? null : plan.ClassLabels };
    }

    private static string WriteFeatures(GraphBuilder g, FeaturePlan plan)
    {
        var blocks = new List<string>();
        var scalars = plan.ScalarColumns.ToList();
        if (scalars.Count > 0)
        {
            var slots = new List<string>();
            foreach (var column in scalars)
            {
                var input = g.Reserve(column.Name);
                if (column.Kind == FeatureKind.Boolean)
                {
                    g.AddInput(input, DataType.Bool, -1, 1);
                    slots.Add(g.Node("Cast", [input], "", Attr("to", (long)DataType.Float)));
                }
                else
                {
                    g.AddInput(input, DataType.Float, -1, 1);
                    slots.Add(input);
                }
            }

            var joined = g.Node("Concat", slots, "", Attr("axis", 1L));
            var imputed = g.Node("Imputer", [joined], MlDomain,
                Attr("imputed_value_floats", scalars.Select(c => c.ImputeValue)),
                Attr("replaced_value_float", float.NaN));
            blocks.Add(scalars.Any(c => c.Offset != 0f || c.Scale != 1f)
                ? g.Node("Scaler", [imputed], MlDomain, Attr("offset", scalars.Select(c => c.Offset)), Attr("scale", scalars.Select(c => c.Scale)))
                : imputed);
        }

        foreach (var column in plan.CategoricalColumns)
        {
            var input = g.Reserve(column.Name);
            g.AddInput(input, DataType.String, -1, 1);
            if (column.Categories.Count == 0)
            {
                continue; // No vocabulary (never seen a value): no slots, the input is accepted and ignored.
            }

            var hot = g.Node("OneHotEncoder", [input], MlDomain, Attr("cats_strings", column.Categories), Attr("zeros", 1L));
            blocks.Add(g.Node("Flatten", [hot], "", Attr("axis", 1L)));
        }

        return blocks.Count == 1 ? blocks[0] : g.Node("Concat", blocks, "", Attr("axis", 1L));
    }

    private static string WriteRawScore(GraphBuilder g, RawScore raw, string features, int width)
    {
        switch (raw)
        {
            case LinearScore linear:
                foreach (var w in linear.Weights)
                {
                    if (w.Length != width)
                    {
                        throw new InvalidOperationException($"The linear model has {w.Length} weights for {width} features.");
                    }
                }

                return g.Node("LinearRegressor", [features], MlDomain,
                    Attr("coefficients", linear.Weights.SelectMany(w => w)),
                    Attr("intercepts", linear.Biases),
                    Attr("targets", (long)linear.Targets));
            case TreeScore trees:
                {
                    // Double thresholds and leaf values: ONNX Runtime then walks and sums in double, as ML.NET does.
                    var asDouble = g.Node("Cast", [features], "", Attr("to", (long)DataType.Double));
                    var summed = g.Node("TreeEnsembleRegressor", [asDouble], MlDomain, TreeAttributes(trees));
                    return trees.Divisors.All(d => d == 1f)
                        ? summed
                        : g.Node("Div", [summed, g.FloatConstant("divisors", trees.Divisors, trees.Targets)]);
                }

            default:
                throw new InvalidOperationException($"Unknown raw score {raw.GetType().Name}.");
        }
    }

    private static AttributeProto[] TreeAttributes(TreeScore score)
    {
        List<long> treeIds = [], nodeIds = [], featureIds = [], trueIds = [], falseIds = [], targetTree = [], targetNode = [], targetIds = [];
        List<double> values = [], weights = [];
        List<string> modes = [];
        for (var t = 0; t < score.Trees.Count; t++)
        {
            var (target, tree) = score.Trees[t];
            var internalNodes = tree.NumberOfLeaves <= 1 ? 0 : tree.NumberOfNodes;
            long Id(int child) => child >= 0 ? child : internalNodes + ~child;
            for (var n = 0; n < internalNodes; n++)
            {
                if (tree.CategoricalSplitFlags.Count > n && tree.CategoricalSplitFlags[n])
                {
                    throw new InvalidOperationException("Categorical tree splits are not exported (features are one-hot encoded before training).");
                }

                treeIds.Add(t);
                nodeIds.Add(n);
                featureIds.Add(tree.NumericalSplitFeatureIndexes[n]);
                values.Add(tree.NumericalSplitThresholds[n]);
                modes.Add("BRANCH_LEQ"); // ML.NET: value <= threshold goes to the left ("lte") child.
                trueIds.Add(Id(tree.LeftChild[n]));
                falseIds.Add(Id(tree.RightChild[n]));
            }

            for (var leaf = 0; leaf < Math.Max(1, tree.NumberOfLeaves); leaf++)
            {
                treeIds.Add(t);
                nodeIds.Add(internalNodes + leaf);
                featureIds.Add(0);
                values.Add(0);
                modes.Add("LEAF");
                trueIds.Add(0);
                falseIds.Add(0);
                targetTree.Add(t);
                targetNode.Add(internalNodes + leaf);
                targetIds.Add(target);

                // ML.NET returns 0 for a tree whose root has no split recorded (InternalRegressionTree.GetOutput).
                var empty = tree.NumberOfLeaves <= 1 && (tree.LeftChild.Count == 0 || tree.LeftChild[0] == 0);
                weights.Add(empty || tree.LeafValues.Count == 0 ? 0d : tree.LeafValues[leaf]);
            }
        }

        return
        [
            Attr("n_targets", (long)score.Targets),
            Attr("aggregate_function", "SUM"),
            Attr("post_transform", "NONE"),
            Attr("nodes_treeids", treeIds),
            Attr("nodes_nodeids", nodeIds),
            Attr("nodes_featureids", featureIds),
            Attr("nodes_values_as_tensor", DoubleTensor(values)),
            Attr("nodes_modes", modes),
            Attr("nodes_truenodeids", trueIds),
            Attr("nodes_falsenodeids", falseIds),
            Attr("target_treeids", targetTree),
            Attr("target_nodeids", targetNode),
            Attr("target_ids", targetIds),
            Attr("target_weights_as_tensor", DoubleTensor(weights)),
            Attr("base_values_as_tensor", DoubleTensor(new double[score.Targets])),
        ];
    }

    /// <summary>1 / (1 + exp(slope·s + offset)) in double, as ML.NET's PlattCalibrator computes it (ONNX Sigmoid on floats is an approximation).</summary>
    private static string PlattInDouble(GraphBuilder g, string raw, double[] slopes, double[] offsets)
    {
        var s = g.Node("Cast", [raw], "", Attr("to", (long)DataType.Double));
        var z = g.Node("Add", [g.Node("Mul", [s, g.DoubleConstant("slope", slopes, slopes.Length)]), g.DoubleConstant("offset", offsets, offsets.Length)]);
        var denominator = g.Node("Add", [g.DoubleConstant("one", [1d], 1), g.Node("Exp", [z])]);
        return g.Node("Reciprocal", [denominator]);
    }

    private static string ToFloat(GraphBuilder g, string value) => g.Node("Cast", [value], "", Attr("to", (long)DataType.Float));

    private static void WriteOutputs(GraphBuilder g, FeaturePlan plan, ScoreGraph score, string raw)
    {
        if (plan.Task == TaskKind.Regression)
        {
            g.Reserve(ScoreOutput);
            g.NodeTo("Identity", [raw], ScoreOutput, "");
            g.AddOutput(ScoreOutput, DataType.Float, -1, 1);
            return;
        }

        var classes = plan.ClassLabels;
        g.Reserve(ProbabilitiesOutput);
        g.Reserve(LabelOutput);
        string labelIndex;
        switch (score.Post)
        {
            case PostTransform.Platt:
                {
                    var positive = ToFloat(g, PlattInDouble(g, raw, score.Slopes, score.Offsets));
                    var negative = g.Node("Sub", [g.FloatConstant("one", [1f], 1), positive]);
                    g.NodeTo("Concat", [negative, positive], ProbabilitiesOutput, "", Attr("axis", 1L));

                    // ML.NET's binary label is score > 0 (not p > 0.5; they differ when the calibrator has an offset).
                    var isPositive = g.Node("Cast", [g.Node("Greater", [raw, g.FloatConstant("zero", [0f], 1)])], "", Attr("to", (long)DataType.Int64));
                    labelIndex = g.Node("Reshape", [isPositive, g.Int64Constant("flat", [-1], 1)]);
                    break;
                }

            case PostTransform.Softmax:
                {
                    // ML.NET exponentiates and normalises in double (OVA softmax) or log-sum-exp (maximum entropy).
                    var probabilities = g.Node("Softmax", [g.Node("Cast", [raw], "", Attr("to", (long)DataType.Double))], "", Attr("axis", 1L));
                    g.NodeTo("Cast", [probabilities], ProbabilitiesOutput, "", Attr("to", (long)DataType.Float));
                    labelIndex = g.Node("ArgMax", [ProbabilitiesOutput], "", Attr("axis", 1L), Attr("keepdims", 0L));
                    break;
                }

            case PostTransform.PlattNormalized:
                {
                    // As ML.NET's OVA: each class's Platt probability rounded to float, summed and divided in double.
                    var p = g.Node("Cast", [ToFloat(g, PlattInDouble(g, raw, score.Slopes, score.Offsets))], "", Attr("to", (long)DataType.Double));
                    var sum = g.Node("ReduceSum", [p, g.Int64Constant("axes", [1], 1)], "", Attr("keepdims", 1L));
                    g.NodeTo("Cast", [g.Node("Div", [p, sum])], ProbabilitiesOutput, "", Attr("to", (long)DataType.Float));
                    labelIndex = g.Node("ArgMax", [ProbabilitiesOutput], "", Attr("axis", 1L), Attr("keepdims", 0L));
                    break;
                }

            default:
                throw new InvalidOperationException($"Post-transform {score.Post} does not fit a classification task.");
        }

        g.NodeTo("LabelEncoder", [labelIndex], LabelOutput, MlDomain,
            Attr("keys_int64s", Enumerable.Range(0, classes.Count).Select(i => (long)i)),
            Attr("values_strings", classes),
            Attr("default_string", ""));
        g.AddOutput(LabelOutput, DataType.String, -1);
        g.AddOutput(ProbabilitiesOutput, DataType.Float, -1, classes.Count);
    }
}
