// Measures the bench app's CPU per hub invocation and per HTTP request of the same work, at the
// same concurrency, from one client: N sessions, each with a hub connection and an HTTP client.
//   dotnet Satchel.HubBench.dll <base url> <app pid> [connections=32] [seconds=5] [rounds=3]
// Prints, per round, the app's CPU µs per hub Read/Hit and per HTTP /read and /hit.
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

var baseUrl = new Uri(args[0]);
var pid = int.Parse(args[1], CultureInfo.InvariantCulture);
var connections = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 32;
var seconds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
var rounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
var ticksPerSecond = 100.0;   // USER_HZ on Linux

var sessions = new List<(string Cookie, HttpClient Http, HubConnection Hub)>();
for (var i = 0; i < connections; i++)
{
    var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = baseUrl };
    var login = await http.GetAsync("/login");
    var cookie = string.Join("; ", login.Headers.GetValues("Set-Cookie").Select(c => c[..c.IndexOf(';')]));
    http.DefaultRequestHeaders.Add("Cookie", cookie);
    var hub = new HubConnectionBuilder().WithUrl(new Uri(baseUrl, "hub"), o =>
    {
        o.Transports = HttpTransportType.WebSockets;
        o.SkipNegotiation = true;
        o.Headers["Cookie"] = cookie;
    }).Build();
    await hub.StartAsync();
    sessions.Add((cookie, http, hub));
}

double Cpu() => File.ReadAllText($"/proc/{pid}/stat").Split(' ') is var f ? (double.Parse(f[13], CultureInfo.InvariantCulture) + double.Parse(f[14], CultureInfo.InvariantCulture)) / ticksPerSecond : 0;

async Task<double> MeasureAsync(Func<(string Cookie, HttpClient Http, HubConnection Hub), Task> call, TimeSpan duration)
{
    var count = 0L;
    var cpu = Cpu();
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(sessions.Select(async s => { while (clock.Elapsed < duration) { await call(s); Interlocked.Increment(ref count); } }));
    return (Cpu() - cpu) * 1e6 / count;
}

var cases = new (string Name, Func<(string Cookie, HttpClient Http, HubConnection Hub), Task> Call)[]
{
    ("hub Read", s => s.Hub.InvokeAsync<string>("Read")),
    ("http /read", s => s.Http.GetStringAsync("/read")),
    ("hub Hit", s => s.Hub.InvokeAsync<string>("Hit")),
    ("http /hit", s => s.Http.GetStringAsync("/hit")),
};
foreach (var (_, call) in cases) await MeasureAsync(call, TimeSpan.FromSeconds(2));   // warm-up and tier-up
Console.WriteLine("round\tcase\tapp_cpu_us_per_call");
for (var round = 1; round <= rounds; round++)
{
    foreach (var (name, call) in cases)
        Console.WriteLine(FormattableString.Invariant($"{round}\t{name}\t{await MeasureAsync(call, TimeSpan.FromSeconds(seconds)):F1}"));
}
foreach (var s in sessions) await s.Hub.DisposeAsync();
