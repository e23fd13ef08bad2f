using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Training;

/// <summary>Row indices of the training and holdout parts, ascending. JSON-serialisable.</summary>
/// <param name="Train">Rows to train on.</param>
/// <param name="Holdout">Rows held out for evaluation, parity and the promotion gate.</param>
public sealed record SplitIndices(IReadOnlyList<int> Train, IReadOnlyList<int> Holdout);

/// <summary>The deterministic train/holdout split.</summary>
public static class DataSplit
{
    /// <summary>
    /// Splits <paramref name="table"/> by <c>spec.Seed</c> and <c>spec.HoldoutFraction</c>. Classification is stratified
    /// (each class contributes its share to the holdout, at least one row when it has two or more). Rows whose target is
    /// missing are in neither part: they cannot be learned from or scored. The same table and spec give the same split.
    /// </summary>
    public static SplitIndices Split(DataTable table, ProjectSpec spec)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(spec);
        if (!table.Contains(spec.Target))
        {
            throw MlopsException.Invalid(spec.Target, "required", $"Target column '{spec.Target}' is not in the dataset.");
        }

        var target = table[spec.Target];
        var labelled = Enumerable.Range(0, table.RowCount).Where(r => Labels.HasTarget(target, r)).ToList();
        var groups = spec.Task == TaskKind.Regression
            ? [labelled]
            : labelled.GroupBy(r => Labels.LabelAt(target, r)!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.ToList()).ToList();

        // One generator for the whole split, consumed in a fixed group order: deterministic for a seed.
        var random = new Random(spec.Seed);
        var train = new List<int>();
        var holdout = new List<int>();
        foreach (var group in groups)
        {
            var rows = group.ToArray();
            random.Shuffle(rows);
            var take = (int)Math.Round(rows.Length * spec.HoldoutFraction, MidpointRounding.AwayFromZero);
            if (spec.Task != TaskKind.Regression && rows.Length >= 2)
            {
                take = Math.Clamp(take, 1, rows.Length - 1);
            }

            holdout.AddRange(rows.Take(take));
            train.AddRange(rows.Skip(take));
        }

        train.Sort();
        holdout.Sort();
        return new SplitIndices(train, holdout);
    }

    /// <summary>
    /// <paramref name="k"/> cross-validation folds over the labelled rows of <paramref name="table"/>: each fold's
    /// <see cref="SplitIndices.Holdout"/> is its validation part, <see cref="SplitIndices.Train"/> the rest. Stratified for
    /// classification (each class dealt round-robin over the folds after a seeded shuffle), deterministic for
    /// <c>spec.Seed</c>.
    /// </summary>
    public static IReadOnlyList<SplitIndices> Folds(DataTable table, ProjectSpec spec, int k)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        var target = table[spec.Target];
        var labelled = Enumerable.Range(0, table.RowCount).Where(r => Labels.HasTarget(target, r)).ToList();
        var groups = spec.Task == TaskKind.Regression
            ? [labelled]
            : labelled.GroupBy(r => Labels.LabelAt(target, r)!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        var random = new Random(unchecked(spec.Seed + 7919));
        var fold = new int[table.RowCount];
        var next = 0;
        foreach (var group in groups)
        {
            var rows = group.ToArray();
            random.Shuffle(rows);
            foreach (var row in rows)
            {
                // Continue the round-robin across classes so small classes do not all start in fold 0.
                fold[row] = next++ % k;
            }
        }

        return Enumerable.Range(0, k)
            .Select(f => new SplitIndices(labelled.Where(r => fold[r] != f).ToList(), labelled.Where(r => fold[r] == f).ToList()))
            .ToList();
    }
}
