using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Satchel.AspNetCore.Tests.Support;

namespace Satchel.AspNetCore.Tests;

public class AspNetSessionTests
{
    private static readonly byte[] Binary = [0xFF, 0x00, 0xC3, 0x28, 0x80];

    [Fact]
    public async Task HttpContext_Session_methods_keep_working_on_Satchel()
    {
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/write", async (HttpContext http) =>
            {
                await http.Session.LoadAsync();
                http.Session.SetString("name", "ann");
                http.Session.SetInt32("age", 42);
                http.Session.SetInt32("big", 200);
                http.Session.Set("bin", Binary);
                http.Session.SetString("gone", "x");
                http.Session.Remove("gone");
                await http.Session.CommitAsync();
                return http.Session.IsAvailable && http.Session.Id.Length == 16;
            });
            a.MapGet("/read", (HttpContext http) =>
            {
                var ok = http.Session.TryGetValue("bin", out var bin) && bin.AsSpan().SequenceEqual(Binary);
                return $"{http.Session.GetString("name")}|{http.Session.GetInt32("age")}|{http.Session.GetInt32("big")}|{ok}|{string.Join(",", http.Session.Keys.Order())}";
            });
            a.MapGet("/clear", (HttpContext http) => http.Session.Clear());
        });
        using var browser = app.NewBrowser();
        Assert.Equal("true", await browser.GetStringAsync("/write"));
        Assert.Equal("ann|42|200|True|age,big,bin,name", await browser.GetStringAsync("/read"));
        await browser.GetStringAsync("/clear");
        Assert.Equal("|||False|", await browser.GetStringAsync("/read"));
    }

    [Fact]
    public async Task SetString_is_readable_with_Get_string_and_the_other_way_round()
    {
        await using var app = await SatchelApp.StartAsync(a =>
        {
            a.MapGet("/legacy-write", (HttpContext http) => http.Session.SetString("a", "from ISession \u00e9"));
            a.MapGet("/typed-read", (Session s) => s.Get<string>("a"));
            a.MapGet("/typed-write", (Session s) => { s["b"] = "from Satchel \u00fc"; s.Set("n", 7); });
            a.MapGet("/legacy-read", (HttpContext http) => $"{http.Session.GetString("b")}|{http.Session.GetString("n")}");
        });
        using var browser = app.NewBrowser();
        await browser.GetStringAsync("/legacy-write");
        Assert.Equal("from ISession \u00e9", await browser.GetStringAsync("/typed-read"));
        await browser.GetStringAsync("/typed-write");
        Assert.Equal("from Satchel \u00fc|7", await browser.GetStringAsync("/legacy-read"));
    }

    [Fact]
    public async Task GetSession_HttpContext_Session_and_the_Session_parameter_are_one_session()
    {
        await using var app = await SatchelApp.StartAsync(a => a.MapGet("/", (HttpContext http, Session s) =>
        {
            s["x"] = "1";
            return ReferenceEquals(http.GetSession(), s) && http.Session.GetString("x") == "1";
        }));
        using var browser = app.NewBrowser();
        Assert.Equal("true", await browser.GetStringAsync("/"));
    }

    [Fact]
    public void Raw_bytes_that_are_text_stay_JSON_strings_and_other_bytes_round_trip()
    {
        Assert.Equal("\"hi\""u8.ToArray(), SatchelAspNetSession.ToJson("hi"u8.ToArray()));
        Assert.Equal(Binary, SatchelAspNetSession.FromJson(SatchelAspNetSession.ToJson(Binary)));
        byte[] int32 = [0, 0, 0, 5];
        Assert.Equal(int32, SatchelAspNetSession.FromJson(SatchelAspNetSession.ToJson(int32)));
        Assert.Equal("[1,2]"u8.ToArray(), SatchelAspNetSession.FromJson("[1,2]"u8.ToArray()));
    }
}
