using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Data.Profiling;

namespace Mlops.Data.Reading;

/// <summary>
/// The sink every reader feeds: header, then rows. It checks the structure, feeds the column accumulators and writes
/// the canonical CSV as rows go by; <see cref="FinishAsync"/> then applies the column rules and builds the result.
/// </summary>
internal sealed class IngestionSession : IDisposable
{
    private readonly ProjectSpec _spec;
    private readonly DatasetSchema? _previous;
    private readonly IngestionOptions _options;
    private readonly CanonicalCsvWriter _writer;
    private readonly FindingCollector _findings;
    private readonly List<ColumnAccumulator> _columns = [];
    private bool _headerSeen;
    private bool _fatal;

    public IngestionSession(ProjectSpec spec, DatasetSchema? previous, IngestionOptions options, Stream? canonicalOutput)
    {
        _spec = spec;
        _previous = previous;
        _options = options;
        _writer = new CanonicalCsvWriter(canonicalOutput);
        _findings = new FindingCollector(options.MaxRowsPerFailure);
    }

    public FindingCollector Findings => _findings;

    public long RowCount { get; private set; }

    public int ColumnCount => _columns.Count;

    public IReadOnlyList<string> ColumnNames => _columns.Select(c => c.Name).ToList();

    /// <summary>True once the data cannot be a version: rows are still read (to report more), but not written.</summary>
    private bool Writing => !_findings.HasErrors;

    /// <summary>Records a rule that stops the read (malformed file, bad encoding).</summary>
    public void Fatal(string rule, string message, long? row = null)
    {
        _fatal = true;
        _findings.Add(rule, null, row, message);
    }

    /// <summary>Takes the header. Empty and duplicate headers are reported; the columns are still read by position.</summary>
    public void SetColumns(IReadOnlyList<string> names)
    {
        _headerSeen = true;
        var named = NamedColumns();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (string.IsNullOrWhiteSpace(name))
            {
                _findings.Add(DataRules.EmptyHeader, $"#{i + 1}", null, $"Column {i + 1} has an empty header; every column needs a name.");
            }
            else if (!seen.Add(name))
            {
                _findings.Add(DataRules.DuplicateHeader, name, null, $"The header '{name}' appears more than once; headers must be unique.");
            }

            var keep = named.Contains(name) || _previous?.Find(name)?.Kind == ColumnKind.Categorical;
            _columns.Add(new ColumnAccumulator(name, i, _options, keep));
        }

        if (Writing)
        {
            _writer.WriteHeader(names);
        }
    }

    public void AddRow(ReadOnlySpan<Cell> cells)
    {
        var row = ++RowCount;
        for (var i = 0; i < cells.Length; i++)
        {
            _columns[i].Add(cells[i], row);
        }

        if (Writing)
        {
            _writer.WriteRow(cells);
        }
    }

    /// <summary>A row whose fields do not line up with the header: counted, reported, not profiled.</summary>
    public void AddRaggedRow(int fieldCount)
    {
        var row = ++RowCount;
        _findings.Add(DataRules.RaggedRow, null, row, $"Rows must have as many fields as the header ({_columns.Count}); the listed rows do not (the first had {fieldCount}).");
    }

    /// <summary>A JSON row with a key the first row lacks: the canonical header is already written, so the row cannot line up.</summary>
    public void AddRowWithUnknownKey(string key)
    {
        var row = ++RowCount;
        _findings.Add(DataRules.RaggedRow, key, row, $"Rows have the key '{key}' that the first row lacks; every key must appear in the first row.");
    }

    /// <summary>A row that is not a flat object (JSON) or a cell that is nested.</summary>
    public void AddWrongShapeRow(string? column, string message)
    {
        var row = ++RowCount;
        _findings.Add(DataRules.WrongShape, column, row, message);
    }

    private HashSet<string> NamedColumns()
    {
        var named = new HashSet<string>(StringComparer.Ordinal) { _spec.Target };
        foreach (var f in _spec.Features ?? [])
        {
            named.Add(f);
        }

        return named;
    }

    public async Task<IngestionResult> FinishAsync(string format, long bytes, CancellationToken ct)
    {
        if (!_headerSeen && !_fatal)
        {
            _findings.Add(DataRules.EmptyFile, null, null, bytes == 0
                ? "The file is empty."
                : "The file has no header and no rows.");
        }

        DatasetSchema? schema = null;
        DatasetProfile? profile = null;
        if (_headerSeen && !_fatal)
        {
            (schema, profile) = new ColumnRules(_spec, _previous, _options, _findings, RowCount).Apply(_columns);
        }
        else if (_headerSeen)
        {
            // A fatal error mid-file: what was read cannot be trusted as a whole, but the header can still be reported.
            schema = null;
        }

        var sha = Writing ? await _writer.CompleteAsync(ct).ConfigureAwait(false) : null;
        var report = new ValidationReport
        {
            Verdict = _findings.HasErrors ? Verdict.Rejected : Verdict.Accepted,
            Format = format,
            Bytes = bytes,
            RowCount = RowCount,
            ColumnCount = _columns.Count,
            Failures = _findings.ToFailures(),
        };
        var accepted = report.Verdict == Verdict.Accepted;
        return new IngestionResult
        {
            Report = report,
            Sha256 = accepted ? sha : null,
            CanonicalBytes = accepted ? _writer.BytesWritten : 0,
            Schema = schema,
            Profile = profile,
        };
    }

    public void Dispose() => _writer.Dispose();
}
