// Draws docs/benchmarks.png from a bench/load.sh run:
//   dotnet run --project bench/Satchel.Chart -- bench/results/<run>/raw.tsv docs/benchmarks.png
using System.Globalization;
using ScottPlot;

var raw = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Satchel.Chart RAW_TSV OUTPUT_PNG");
var output = args.Length > 1 ? args[1] : "docs/benchmarks.png";

// Mean requests/s per store, endpoint and variant.
var rows = File.ReadLines(raw).Skip(1).Select(l => l.Split('\t'))
    .Select(f => (Store: f[0], Endpoint: f[2], Variant: f[3], Rps: double.Parse(f[4], CultureInfo.InvariantCulture)))
    .GroupBy(r => (r.Store, r.Endpoint, r.Variant))
    .ToDictionary(g => g.Key, g => g.Average(r => r.Rps));

string[] stores = ["memory", "redis"];
string[] endpoints = ["bare", "login", "read", "hit"];
(string Key, string Label, Color Color)[] variants =
[
    ("satchel", "Satchel", Color.FromHex("#2b8a3e")),
    ("aspnet", "ASP.NET Core session", Color.FromHex("#c92a2a")),
    ("none", "no session", Color.FromHex("#868e96")),
    ("express", "express-session (Node)", Color.FromHex("#5f3dc4")),
];

var plot = new Plot();
var ticks = new List<Tick>();
var position = 0.0;
foreach (var store in stores.Where(s => rows.Keys.Any(k => k.Store == s)))
{
    foreach (var endpoint in endpoints)
    {
        for (var v = 0; v < variants.Length; v++)
        {
            if (!rows.TryGetValue((store, endpoint, variants[v].Key), out var rps)) continue;
            var bar = plot.Add.Bar(position + v * 0.24, rps / 1000);
            bar.Color = variants[v].Color;
            bar.Bars[0].Size = 0.22;
        }
        ticks.Add(new Tick(position + 0.36, $"{store}\n/{endpoint}"));
        position += 1.1;
    }
    position += 0.5;
}
plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
plot.Axes.Left.Label.Text = "thousand requests/s (higher is better)";
plot.Title("Satchel vs ASP.NET Core session and express-session, same endpoints, same store, one run (app alone on 1 core, wrk -c64 and Redis on the other)");
plot.Axes.SetLimitsY(0, rows.Values.Max() / 1000 * 1.2);
foreach (var (_, label, color) in variants) plot.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = color });
plot.ShowLegend(Alignment.UpperCenter, Orientation.Horizontal);
plot.SavePng(output, 1100, 500);
Console.WriteLine($"wrote {output}");
