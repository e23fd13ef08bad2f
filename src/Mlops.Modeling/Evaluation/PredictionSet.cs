using Mlops.Core.Projects;

namespace Mlops.Modeling.Evaluation;

/// <summary>
/// A model's outputs for a batch of rows, whatever produced them (ML.NET or ONNX Runtime): labels and per-class
/// probabilities (classification, probabilities row-major, class order of <see cref="ClassLabels"/>) or values (regression).
/// </summary>
public sealed class PredictionSet
{
    private PredictionSet(TaskKind task, int count, IReadOnlyList<string> classLabels, string[] labels, float[] probabilities, float[] values)
    {
        Task = task;
        Count = count;
        ClassLabels = classLabels;
        Labels = labels;
        Probabilities = probabilities;
        Values = values;
    }

    /// <summary>The task.</summary>
    public TaskKind Task { get; }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>Class labels in probability order (empty for regression).</summary>
    public IReadOnlyList<string> ClassLabels { get; }

    /// <summary>Predicted label per row (classification).</summary>
    public string[] Labels { get; }

    /// <summary>Class probabilities, row-major <c>Count × ClassLabels.Count</c> (classification).</summary>
    public float[] Probabilities { get; }

    /// <summary>Predicted value per row (regression).</summary>
    public float[] Values { get; }

    /// <summary>The probability of class <paramref name="classIndex"/> for row <paramref name="row"/>.</summary>
    public float Probability(int row, int classIndex) => Probabilities[(row * ClassLabels.Count) + classIndex];

    /// <summary>A classification result.</summary>
    public static PredictionSet ForClasses(TaskKind task, IReadOnlyList<string> classLabels, string[] labels, float[] probabilities)
    {
        if (probabilities.Length != labels.Length * classLabels.Count)
        {
            throw new ArgumentException("Probabilities must hold one value per row and class.", nameof(probabilities));
        }

        return new(task, labels.Length, classLabels, labels, probabilities, []);
    }

    /// <summary>A regression result.</summary>
    public static PredictionSet ForValues(float[] values) => new(TaskKind.Regression, values.Length, [], [], [], values);
}
