using System.Text;
using System.Text.RegularExpressions;

namespace Mlops.WorkerHost.Triggers;

/// <summary>A blob trigger path like <c>incoming/{name}.{ext}</c>: its container, listing prefix and token matcher.</summary>
internal sealed class BlobPathPattern
{
    private readonly Regex _regex;
    private readonly IReadOnlyList<string> _tokens;

    public BlobPathPattern(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        Container = slash < 0 ? path : path[..slash];
        var blob = slash < 0 ? "{name}" : path[(slash + 1)..];
        var brace = blob.IndexOf('{', StringComparison.Ordinal);
        Prefix = brace < 0 ? blob : blob[..brace];

        var tokens = new List<string>();
        var regex = new StringBuilder("^");
        foreach (Match m in Regex.Matches(blob, @"\{([^{}]+)\}|[^{]+"))
        {
            if (m.Groups[1].Success)
            {
                tokens.Add(m.Groups[1].Value);
                regex.Append("(?<").Append(m.Groups[1].Value).Append(">.+?)");
            }
            else
            {
                regex.Append(Regex.Escape(m.Value));
            }
        }

        _regex = new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
        _tokens = tokens;
    }

    public string Container { get; }

    /// <summary>The literal start of the blob name: what to list with.</summary>
    public string Prefix { get; }

    /// <summary>Token values for a blob name, or null when the name does not match the pattern.</summary>
    public IReadOnlyDictionary<string, string>? Match(string blobName)
    {
        var m = _regex.Match(blobName);
        return m.Success ? _tokens.ToDictionary(t => t, t => m.Groups[t].Value) : null;
    }
}
