using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

/// <summary>Behind a TLS proxy without forwarded headers, the missing Secure attribute is reported once.</summary>
public sealed class ForwardedProtoTests
{
    [Fact]
    public async Task Https_forwarded_by_a_proxy_the_app_does_not_trust_is_reported_once()
    {
        await using var app = await SatchelApp.StartAsync(a => a.MapGet("/", (Session s) => s.Set("n", 1)));
        using var raw = app.NewRawClient();
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.BaseAddress, "/"));
            request.Headers.Add("X-Forwarded-Proto", "https");
            var response = await raw.SendAsync(request);
            Assert.DoesNotContain(response.Headers.GetValues("Set-Cookie"), c => c.Contains("Secure", StringComparison.Ordinal));
        }
        var warning = Assert.Single(app.Logs.At(LogLevel.Warning), l => l.EventId.Id == 504);
        Assert.Contains("UseForwardedHeaders()", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_forwarded_headers_the_cookie_is_Secure_and_nothing_is_reported()
    {
        await using var app = await SatchelApp.StartAsync(
            a => a.MapGet("/", (Session s) => s.Set("n", 1)),
            setup: b => b.Services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedProto),
            before: a => a.UseForwardedHeaders());
        using var raw = app.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.BaseAddress, "/"));
        request.Headers.Add("X-Forwarded-Proto", "https");
        var response = await raw.SendAsync(request);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sid=", StringComparison.Ordinal) && c.Contains("; Secure", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.EventId.Id == 504);
    }
}
