using System.Text.Json;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Modeling.Featurization;
using Mlops.Modeling.Onnx;
using Mlops.Modeling.Serving;
using Mlops.Modeling.Training;

namespace Mlops.Modeling.Tests.Featurization;

public sealed class DatePartsTests
{
    [Theory]
    [InlineData("2012-01-01", 2012, 1, 1, 0, 1)]        // a Sunday
    [InlineData("2015-12-31", 2015, 12, 31, 4, 365)]    // a Thursday
    [InlineData("2016-12-31", 2016, 12, 31, 6, 366)]    // leap year
    [InlineData("2000-03-01", 2000, 3, 1, 3, 61)]       // 2000 is a leap year (÷400)
    [InlineData("1900-03-01", 1900, 3, 1, 4, 60)]       // 1900 is not (÷100)
    public void Of_IsoDates_MatchDotNetCalendar(string text, int year, int month, int day, int dayOfWeek, int dayOfYear)
    {
        var parts = DateParts.Of(text, hasTime: false);
        var date = DateOnly.ParseExact(text, "yyyy-MM-dd");
        Assert.Equal([year, month, day, dayOfWeek, dayOfYear], parts.Select(p => (int)p));
        Assert.Equal((int)date.DayOfWeek, (int)parts[3]);
        Assert.Equal(date.DayOfYear, (int)parts[4]);
    }

    [Fact]
    public void Of_EveryDayFor400Years_MatchesDotNetCalendar()
    {
        for (var date = new DateOnly(1850, 1, 1); date < new DateOnly(2250, 1, 1); date = date.AddDays(1))
        {
            var parts = DateParts.Of(date.ToString("yyyy-MM-dd"), hasTime: false);
            if (date.Year > DateParts.MaxYear)
            {
                Assert.True(float.IsNaN(parts[0]));
                continue;
            }

            Assert.Equal((int)date.DayOfWeek, (int)parts[3]);
            Assert.Equal(date.DayOfYear, (int)parts[4]);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2012-13-01")]
    [InlineData("2012-00-10")]
    [InlineData("1700-01-01")]
    public void Of_UnreadableDate_AllPartsMissing(string? text) =>
        Assert.All(DateParts.Of(text, hasTime: true), p => Assert.True(float.IsNaN(p)));

    [Fact]
    public void Of_Timestamp_HourFromTheTime()
    {
        Assert.Equal(17, DateParts.Of("2012-06-01T17:45:00Z", hasTime: true)[5]);
        Assert.Equal(9, DateParts.Of("2012-06-01 09:05", hasTime: true)[5]);
        Assert.Equal(0, DateParts.Of("2012-06-01", hasTime: true)[5]);
    }

    /// <summary>The graph's date steps against the C# ones: a model over a date column alone, fed odd strings through the predictor.</summary>
    [Fact]
    public void Predict_RawDateStrings_GraphComputesWhatCSharpComputes()
    {
        var days = Enumerable.Range(0, 800).Select(i => new DateTime(2011, 1, 1).AddDays(i).AddHours(i % 24)).ToList();
        var stamps = days.Select(d => d.ToString("yyyy-MM-dd'T'HH:mm:ss")).ToArray();
        var target = days.Select(d => (double)(d.Month * 10 + (int)d.DayOfWeek + d.Hour / 100.0)).ToArray();
        var table = new DataTable([new StringColumn("when", stamps, ColumnKind.Date), new NumericColumn("y", target)], days.Count);
        var spec = new ProjectSpec { Target = "y", Task = TaskKind.Regression, Metric = "rmse", Trainers = ["lightgbm"] };
        var fitted = CandidateTrainer.Fit(table, spec, CandidateSearch.Candidates(spec, table.RowCount)[0]);
        Assert.True(Assert.Single(fitted.Model.Plan.Columns).HasTime);

        var odd = new string?[] { "2012-02-29T23:59:59", "2012-02-29", "2012-02-29 07:00", "not a date", "", null, "2013-13-13", "1999-12-31T00:00:00+01:00" };
        var probe = new DataTable([new StringColumn("when", odd, ColumnKind.Date), new NumericColumn("y", new double[odd.Length])], odd.Length);
        var export = OnnxExporter.Export(fitted.Model, probe);
        Assert.Equal(0, export.Parity.LabelMismatches);

        var input = Assert.Single(export.Signature.Inputs);
        Assert.Equal(("when", SignatureTypes.String), (input.Name, input.Type));
        using var predictor = new OnnxPredictor(export.Model, export.Signature);
        var rows = odd.Select(s => (IReadOnlyDictionary<string, JsonElement>)new Dictionary<string, JsonElement> { ["when"] = JsonSerializer.SerializeToElement(s) }).ToList();
        var served = predictor.Predict(rows).Predictions.Select(p => p.Value!.Value).ToArray();
        Assert.Equal(fitted.Model.Predict(probe).Values, served, (a, b) => Math.Abs(a - b) <= 1e-4);
    }
}
