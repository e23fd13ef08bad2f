using Mlops.Features.Definitions;

namespace Mlops.Features.Computation;

/// <summary>
/// Feature rows: one per source row, its entity key, event time and every feature's value as of that row. Numeric
/// features in <see cref="Numbers"/> (NaN = missing), text features in <see cref="Texts"/> (null = missing), by output index.
/// </summary>
public sealed class FeatureRows
{
    /// <summary>Allocates rows for <paramref name="outputs"/>.</summary>
    public FeatureRows(IReadOnlyList<FeatureColumn> outputs, int count)
    {
        Outputs = outputs;
        Keys = new string[count];
        Ticks = new long[count];
        Sequence = new long[count];
        Numbers = outputs.Select(o => o.Numeric ? new double[count] : null).ToArray();
        Texts = outputs.Select(o => o.Numeric ? null : new string?[count]).ToArray();
    }

    /// <summary>The output columns.</summary>
    public IReadOnlyList<FeatureColumn> Outputs { get; }

    /// <summary>Entity keys.</summary>
    public string[] Keys { get; }

    /// <summary>Event times (UTC ticks).</summary>
    public long[] Ticks { get; }

    /// <summary>Source order among equal times.</summary>
    public long[] Sequence { get; }

    /// <summary>Per output: its numbers, or null for a text output.</summary>
    public double[]?[] Numbers { get; }

    /// <summary>Per output: its strings, or null for a numeric output.</summary>
    public string?[]?[] Texts { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Keys.Length;

    /// <summary>The value of output <paramref name="output"/> at <paramref name="row"/>: a double (never NaN), a string, or null when missing.</summary>
    public object? ValueAt(int output, int row) =>
        Numbers[output] is { } numbers ? (double.IsNaN(numbers[row]) ? null : numbers[row]) : Texts[output]![row];
}

/// <summary>
/// Computes a view's features over source rows, one entity at a time in event-time order. Rows that share an event
/// time see the same history: lags and windows cover only strictly earlier times (the window (t − w, t) excludes t),
/// so no feature ever carries a value from its own row's time or later — the label of a row cannot leak into its features.
/// </summary>
public static class FeatureComputer
{
    /// <summary>Computes the features of every row; the result is in entity, time, source order.</summary>
    public static FeatureRows Compute(CompiledView view, SourceRows rows)
    {
        var order = rows.OrderByEntityAndTime();
        var result = new FeatureRows(view.Outputs, order.Length);
        var features = view.Spec.Features;
        var numericIndex = view.NumericColumns.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var textIndex = view.TextColumns.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);

        // Expression slots: source numeric columns first, then each feature's own slot.
        var slots = new double[view.NumericColumns.Count + features.Count];
        int SlotOf(string name, int before)
        {
            for (var j = 0; j < before; j++)
            {
                if (features[j].Name == name)
                {
                    return view.NumericColumns.Count + j;
                }
            }

            return numericIndex[name];
        }

        var states = new FeatureState[features.Count];
        for (var f = 0; f < features.Count; f++)
        {
            var spec = features[f];
            var before = f;
            states[f] = spec.Kind switch
            {
                FeatureKind.Expression => new FeatureState { Expression = FeatureExpression.Parse(spec.Expression!).Bind(n => SlotOf(n, before)) },
                FeatureKind.Aggregate => new FeatureState
                {
                    Window = spec.Window is not null ? WindowAggregator.ForSpan(IsoDuration.Parse(spec.Window)) : WindowAggregator.ForRows(spec.Rows!.Value),
                    CountsText = spec.Aggregate == "count" && !numericIndex.ContainsKey(spec.Column!),
                },
                FeatureKind.Lag => new FeatureState { Lagged = new Deque<int>() },
                _ => new FeatureState(),
            };
        }

        var i = 0;
        while (i < order.Length)
        {
            // One entity: [i, end).
            var key = rows.Keys[order[i]];
            var end = i;
            while (end < order.Length && string.Equals(rows.Keys[order[end]], key, StringComparison.Ordinal))
            {
                end++;
            }

            foreach (var s in states)
            {
                s.Window?.Clear();
                s.Lagged?.Clear();
            }

            var g = i;
            while (g < end)
            {
                // One event time: [g, groupEnd) see the same history.
                var ticks = rows.Ticks[order[g]];
                var groupEnd = g;
                while (groupEnd < end && rows.Ticks[order[groupEnd]] == ticks)
                {
                    groupEnd++;
                }

                for (var f = 0; f < features.Count; f++)
                {
                    states[f].Window?.AdvanceTo(ticks);
                }

                for (var r = g; r < groupEnd; r++)
                {
                    var source = order[r];
                    result.Keys[r] = key;
                    result.Ticks[r] = ticks;
                    result.Sequence[r] = rows.Sequence[source];
                    for (var c = 0; c < view.NumericColumns.Count; c++)
                    {
                        slots[c] = rows.Numbers[c][source];
                    }

                    for (var f = 0; f < features.Count; f++)
                    {
                        var spec = features[f];
                        var state = states[f];
                        double number = double.NaN;
                        string? text = null;
                        switch (spec.Kind)
                        {
                            case FeatureKind.Expression:
                                number = state.Expression!(slots);
                                break;
                            case FeatureKind.Aggregate:
                                number = state.Window!.Value(spec.Aggregate!);
                                break;
                            case FeatureKind.Lag:
                                var lag = spec.Lag!.Value;
                                if (state.Lagged!.Count >= lag)
                                {
                                    var at = state.Lagged.FromBack(lag - 1);
                                    if (result.Numbers[f] is not null)
                                    {
                                        number = rows.Numbers[numericIndex[spec.Column!]][at];
                                    }
                                    else
                                    {
                                        text = rows.Texts[textIndex[spec.Column!]][at];
                                    }
                                }

                                break;
                            default:
                                if (result.Numbers[f] is not null)
                                {
                                    number = rows.Numbers[numericIndex[spec.Column!]][source];
                                }
                                else
                                {
                                    text = rows.Texts[textIndex[spec.Column!]][source];
                                }

                                break;
                        }

                        if (result.Numbers[f] is { } numbers)
                        {
                            numbers[r] = number;
                            slots[view.NumericColumns.Count + f] = number;
                        }
                        else
                        {
                            result.Texts[f]![r] = text;
                            slots[view.NumericColumns.Count + f] = double.NaN;
                        }
                    }
                }

                // Only now does this time join the history of later times.
                for (var r = g; r < groupEnd; r++)
                {
                    var source = order[r];
                    for (var f = 0; f < features.Count; f++)
                    {
                        var spec = features[f];
                        var state = states[f];
                        if (state.Window is { } window)
                        {
                            var value = state.CountsText
                                ? (rows.Texts[textIndex[spec.Column!]][source] is null ? double.NaN : 1)
                                : rows.Numbers[numericIndex[spec.Column!]][source];
                            window.Add(ticks, value);
                        }
                        else if (state.Lagged is { } lagged)
                        {
                            lagged.PushBack(source);
                            if (lagged.Count > spec.Lag!.Value)
                            {
                                lagged.PopFront();
                            }
                        }
                    }
                }

                g = groupEnd;
            }

            i = end;
        }

        return result;
    }

    private sealed class FeatureState
    {
        public Func<double[], double>? Expression { get; init; }

        public WindowAggregator? Window { get; init; }

        public bool CountsText { get; init; }

        public Deque<int>? Lagged { get; init; }
    }
}
