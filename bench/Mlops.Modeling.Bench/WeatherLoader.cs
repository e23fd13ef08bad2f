using System.Globalization;
using Mlops.Core.Data;

namespace Mlops.Modeling.Bench;

/// <summary>Reads seattle-weather.csv (no quoting) into a table; the real readers live in Mlops.Data.</summary>
internal static class WeatherLoader
{
    public static DataTable Load(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        var cells = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var columns = new List<DataColumn>();
        for (var c = 0; c < header.Length; c++)
        {
            var raw = cells.Select(r => r[c]).ToList();
            columns.Add(header[c] is "date" or "weather"
                ? new StringColumn(header[c], raw.ToArray(), header[c] == "date" ? ColumnKind.Date : ColumnKind.Categorical)
                : new NumericColumn(header[c], raw.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()));
        }

        return new DataTable(columns, cells.Count);
    }
}
