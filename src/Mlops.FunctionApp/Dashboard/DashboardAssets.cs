using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Mlops.FunctionApp.Dashboard;

/// <summary>One static file of the dashboard, ready to send: its bytes, a gzip copy when that is smaller, its type and ETag.</summary>
internal sealed record DashboardAsset(string Path, byte[] Content, byte[]? Gzip, string ContentType, string ETag)
{
    /// <summary>Third-party bundles (vega, vega-lite, vega-embed): large and changed only by an upgrade.</summary>
    public bool IsVendor => Path.StartsWith("vendor/", StringComparison.Ordinal);
}

/// <summary>
/// The dashboard's static files from the app's build output (<c>dashboard/</c> beside the app's assembly, copied there
/// by <c>src/Mlops.Dashboard/Dashboard.targets</c>). A request path is resolved only to a file under that folder: no
/// <c>..</c>, no rooted or backslashed paths, no hidden files, only known extensions. Files are immutable for the life
/// of a deployment, so each is read (and gzipped) once.
/// </summary>
internal sealed class DashboardAssets
{
    /// <summary>The page every client-side route falls back to.</summary>
    public const string IndexFile = "index.html";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".txt"] = "text/plain; charset=utf-8",
    };

    private readonly string _root;
    private readonly ConcurrentDictionary<string, DashboardAsset> _cache = new(StringComparer.Ordinal);

    public DashboardAssets(string root) => _root = System.IO.Path.GetFullPath(root);

    /// <summary>The folder the app's build output holds the dashboard in.</summary>
    public static string DefaultRoot => System.IO.Path.Combine(AppContext.BaseDirectory, "dashboard");

    /// <summary>True when the build copied the dashboard (its index page exists).</summary>
    public bool Installed => File.Exists(System.IO.Path.Combine(_root, IndexFile));

    /// <summary>
    /// The asset for a request path (relative to the dashboard root, '/'-separated), or null when the path is not a
    /// servable file. Paths without an extension are client-side routes: callers serve <see cref="IndexFile"/> for them.
    /// </summary>
    public DashboardAsset? Find(string relativePath)
    {
        if (!IsSafe(relativePath))
        {
            return null;
        }

        if (_cache.TryGetValue(relativePath, out var cached))
        {
            return cached;
        }

        // Only files that exist are cached: a stream of made-up paths must not grow the cache.
        var asset = Load(relativePath);
        return asset is null ? null : _cache.GetOrAdd(relativePath, asset);
    }

    /// <summary>True for a path that names a static file (it has a known extension) rather than a client-side route.</summary>
    public static bool LooksLikeFile(string relativePath) =>
        ContentTypes.ContainsKey(System.IO.Path.GetExtension(relativePath));

    private static bool IsSafe(string path)
    {
        if (path.Length is 0 or > 256 || path.Contains('\\') || path.Contains(':') || path.Contains('\0') || path.StartsWith('/'))
        {
            return false;
        }

        foreach (var segment in path.Split('/'))
        {
            // Empty segments ("a//b"), "." and "..", and hidden files are never dashboard files.
            if (segment.Length == 0 || segment.StartsWith('.'))
            {
                return false;
            }
        }

        return ContentTypes.ContainsKey(System.IO.Path.GetExtension(path));
    }

    private DashboardAsset? Load(string relativePath)
    {
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(_root, relativePath));
        // Belt and braces after IsSafe: the resolved file must still be inside the root (a symlink could point out).
        if (!full.StartsWith(_root + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(full))
        {
            return null;
        }

        var content = File.ReadAllBytes(full);
        var type = ContentTypes[System.IO.Path.GetExtension(full)];
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..32] + "\"";
        return new DashboardAsset(relativePath, content, Compress(content, type), type, etag);
    }

    private static byte[]? Compress(byte[] content, string contentType)
    {
        if (content.Length < 1024 || contentType.StartsWith("image/png", StringComparison.Ordinal))
        {
            return null;
        }

        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.Length < content.Length ? output.ToArray() : null;
    }
}
