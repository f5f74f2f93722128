// Satchel on a plain HttpListener: `dotnet run --project samples/Satchel.HttpListener [-- PORT]`.
using System.Net;
using System.Text;
using Satchel;

var port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5001;
using var listener = new HttpListener();
// HttpListener matches the Host header against its prefixes: answer both names of this machine's loopback.
listener.Prefixes.Add($"http://localhost:{port}/");
listener.Prefixes.Add($"http://127.0.0.1:{port}/");
listener.Start();
Console.WriteLine($"Listening on http://localhost:{port}/ and http://127.0.0.1:{port}/ (Ctrl+C to stop)");

var sessions = new SessionManager();   // memory store, 30-minute idle timeout
while (listener.IsListening)
{
    var context = await listener.GetContextAsync();
    await using var session = await sessions.StartAsync(context);
    var text = session["testValue"] is { } value
        ? $"Read back from the session: {value}"
        : "Stored testValue in the session: reload the page.";
    session["testValue"] = "A session variable";   // there on the next request

    var body = Encoding.UTF8.GetBytes(text);
    context.Response.ContentType = "text/plain; charset=utf-8";
    context.Response.ContentLength64 = body.Length;
    await context.Response.OutputStream.WriteAsync(body);
    context.Response.Close();
}   // the session saves here; the cookie went into the headers when the value was set
