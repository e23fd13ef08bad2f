namespace Mlops.Data.Reading;

/// <summary>Collects failed rules during and after the pass: one entry per (rule, column) with a count and the first row numbers.</summary>
internal sealed class FindingCollector(int maxRows)
{
    private readonly Dictionary<(string Rule, string? Column), Entry> _entries = [];
    private readonly List<(string Rule, string? Column)> _order = [];

    public bool HasErrors { get; private set; }

    public bool Has(string rule) => _entries.Keys.Any(k => k.Rule == rule);

    public bool Has(string rule, string? column) => _entries.ContainsKey((rule, column));

    /// <summary>Records one occurrence (at <paramref name="row"/> when given); the first message wins.</summary>
    public void Add(string rule, string? column, long? row, string message, RuleSeverity? severity = null, long count = 1)
    {
        var key = (rule, column);
        if (!_entries.TryGetValue(key, out var entry))
        {
            entry = new Entry(severity ?? DataRules.SeverityOf(rule), message);
            _entries[key] = entry;
            _order.Add(key);
            HasErrors |= entry.Severity == RuleSeverity.Error;
        }

        entry.Count += count;
        if (row is { } r && entry.Rows.Count < maxRows)
        {
            entry.Rows.Add(r);
        }
    }

    /// <summary>Records a rule with a known count and the row numbers gathered elsewhere.</summary>
    public void AddSummary(string rule, string? column, long count, IReadOnlyList<long> rows, string message, RuleSeverity? severity = null)
    {
        Add(rule, column, null, message, severity, count);
        var entry = _entries[(rule, column)];
        foreach (var r in rows.Take(maxRows - entry.Rows.Count))
        {
            entry.Rows.Add(r);
        }
    }

    public IReadOnlyList<RuleFailure> ToFailures() =>
        _order.Select((k, i) => (k, i, e: _entries[k]))
            .OrderBy(x => x.e.Severity == RuleSeverity.Error ? 0 : 1)
            .ThenBy(x => x.i)
            .Select(x => new RuleFailure(x.k.Rule, x.e.Severity, x.k.Column, x.e.Count, x.e.Rows.ToList(), x.e.Message))
            .ToList();

    private sealed class Entry(RuleSeverity severity, string message)
    {
        public RuleSeverity Severity { get; } = severity;
        public string Message { get; } = message;
        public long Count { get; set; }
        public List<long> Rows { get; } = [];
    }
}
