using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Satchel.Tests.Support;

/// <summary>A real HttpListener on a free loopback port, running a handler per request.</summary>
public sealed class ListenerServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;

    public ListenerServer(Func<HttpListenerContext, Task> handler)
    {
        (_listener, Port) = StartOnFreePort();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception) when (!_listener.IsListening)
                {
                    return;
                }
                try
                {
                    await handler(context);
                }
                catch (Exception ex)
                {
                    Errors.Add(ex);
                    try
                    {
                        context.Response.StatusCode = 500;
                        context.Response.Close();
                    }
                    catch (Exception) { }
                }
            }
        });
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public List<Exception> Errors { get; } = [];

    public static async Task WriteTextAsync(HttpListenerResponse response, string text)
    {
        var body = Encoding.UTF8.GetBytes(text);
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
        response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
        _listener.Close();
    }

    private static (HttpListener, int) StartOnFreePort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }
}
