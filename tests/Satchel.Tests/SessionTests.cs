using System.Text.Json.Serialization;
using Satchel.Tests.Support;

namespace Satchel.Tests;

public record Cart(string Owner, List<int> Items);

[JsonSerializable(typeof(Cart))]
public partial class TestJsonContext : JsonSerializerContext;

public class SessionTests
{
    [Fact]
    public async Task A_value_stored_in_one_request_is_there_on_the_next()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["testValue"] = "A session variable");
        Assert.NotNull(browser.Value);
        var read = await browser.RequestAsync(s => s["testValue"]);
        Assert.Equal("A session variable", read);
    }

    [Fact]
    public async Task Typed_values_round_trip_as_JSON_with_and_without_type_info()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s =>
        {
            s.Set("count", 41);
            s.Set("cart", new Cart("ann", [1, 2]));
            s.Set("aot", new Cart("bob", [3]), TestJsonContext.Default.Cart);
        });
        await browser.RequestAsync(s =>
        {
            Assert.Equal(41, s.Get<int>("count"));
            Assert.Equal([1, 2], s.Get<Cart>("cart")!.Items);
            Assert.Equal("bob", s.Get("aot", TestJsonContext.Default.Cart)!.Owner);
            Assert.True(s.TryGet<int>("count", out var c) && c == 41);
            Assert.False(s.TryGet<int>("missing", out _));
            Assert.Equal(0, s.Get<int>("missing"));
            Assert.Null(s["missing"]);
            Assert.Equal(["aot", "cart", "count"], s.Keys.Order());
        });
    }

    [Fact]
    public async Task Remove_clear_and_null_assignment_remove_values()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => { s["a"] = "1"; s["b"] = "2"; s["c"] = "3"; });
        await browser.RequestAsync(s =>
        {
            Assert.True(s.Remove("a"));
            Assert.False(s.Remove("nope"));
            s["b"] = null;
        });
        Assert.Equal(["c"], await browser.RequestAsync(s => s.Keys.ToArray()));
        await browser.RequestAsync(s => s.Clear());
        Assert.Empty(await browser.RequestAsync(s => s.Keys.ToArray()));
    }

    [Fact]
    public async Task A_request_that_changes_many_keys_keeps_each_last_change_in_the_request_and_after_it()
    {
        // Past 16 changed keys a request's change set is indexed: the same answers either way.
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => { for (var i = 0; i < 10; i++) s.Set($"k{i}", -i); });
        var model = Enumerable.Range(0, 10).ToDictionary(i => $"k{i}", i => -i);
        var random = new Random(12);
        await browser.RequestAsync(s =>
        {
            for (var step = 0; step < 300; step++)
            {
                var key = $"k{random.Next(60)}";
                if (random.Next(4) == 0)
                {
                    Assert.Equal(model.Remove(key), s.Remove(key));
                }
                else
                {
                    s.Set(key, step);
                    model[key] = step;
                }
                Assert.Equal(model.TryGetValue(key, out var expected) ? expected : 0, s.Get<int>(key));
            }
            Assert.Equal(model.Keys.Order(), s.Keys.Order());
        });
        await browser.RequestAsync(s =>
        {
            Assert.Equal(model.Keys.Order(), s.Keys.Order());
            foreach (var (key, value) in model) Assert.Equal(value, s.Get<int>(key));
        });
    }

    [Fact]
    public async Task Reading_a_value_as_the_wrong_type_says_which_key_and_type()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["name"] = "ann");
        var session = browser.Open();
        var ex = Assert.Throws<InvalidOperationException>(() => session.Get<int>("name"));
        Assert.Contains("'name'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Int32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Size_limits_fail_at_the_write_with_a_clear_exception()
    {
        var setup = new TestSetup(o => { o.MaxKeys = 3; o.MaxValueBytes = 100; o.MaxKeyLength = 40; });
        var session = setup.NewBrowser().Open();
        var big = Assert.Throws<SessionLimitExceededException>(() => session["big"] = new string('x', 200));
        Assert.Contains("MaxValueBytes", big.Message, StringComparison.Ordinal);
        Assert.Contains("'big'", big.Message, StringComparison.Ordinal);
        Assert.Throws<SessionLimitExceededException>(() => session[new string('k', 41)] = "v");
        session["a"] = "1";
        session["b"] = "2";
        session["c"] = "3";
        session["c"] = "3 again";   // replacing a key is not a new key
        var many = Assert.Throws<SessionLimitExceededException>(() => session["d"] = "4");
        Assert.Contains("MaxKeys", many.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => session[""] = "v");
        Assert.Equal(3, session.Keys.Count);
    }

    [Fact]
    public async Task No_cookie_goes_out_until_the_session_holds_something()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["x"]);
        Assert.Empty(browser.LastSink.History);
        await browser.RequestAsync(s => { s["x"] = "1"; s.Remove("x"); });
        Assert.Null(browser.LastSink.Current);   // issued, then taken back: nothing stored
        Assert.Equal(0, setup.Memory.Count);
        await browser.RequestAsync(s => s["x"] = "1");
        Assert.NotNull(browser.LastSink.Current);
        Assert.Equal(1, setup.Memory.Count);
    }

    [Fact]
    public async Task An_existing_session_cookie_is_not_resent_on_every_write()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["x"] = "1");
        await browser.RequestAsync(s => s["x"] = "2");
        Assert.Empty(browser.LastSink.History);
    }

    [Fact]
    public async Task A_request_that_never_touches_its_session_makes_no_store_call()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["x"] = "1");
        var before = setup.Store.Calls;
        await browser.RequestAsync(_ => 0);
        Assert.Equal(before, setup.Store.Calls);
    }

    [Fact]
    public async Task A_read_only_request_makes_one_load_and_refreshes_the_expiry_at_most_once_per_touch_interval()
    {
        var setup = new TestSetup(o => o.TouchInterval = TimeSpan.FromMinutes(1));
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["x"] = "1");
        var (loads, commits) = (setup.Store.Loads, setup.Store.Commits);

        for (var i = 0; i < 5; i++)
        {
            setup.Time.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal("1", await browser.RequestAsync(s => s["x"]));
        }
        Assert.Equal(loads + 5, setup.Store.Loads);
        Assert.Equal(commits, setup.Store.Commits);
        Assert.Equal(0, setup.Store.Touches);   // 50 s since the write: no refresh yet

        setup.Time.Advance(TimeSpan.FromSeconds(15));
        await browser.RequestAsync(s => s["x"]);
        Assert.Equal(1, setup.Store.Touches);
        setup.Time.Advance(TimeSpan.FromSeconds(1));
        await browser.RequestAsync(s => s["x"]);
        Assert.Equal(1, setup.Store.Touches);
    }

    [Fact]
    public async Task Writes_after_the_commit_throw_instead_of_vanishing()
    {
        var setup = new TestSetup();
        var session = setup.NewBrowser().Open();
        session["a"] = "1";
        await session.CommitAsync();
        var ex = Assert.Throws<InvalidOperationException>(() => session["b"] = "2");
        Assert.Contains("before writing the response body", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => session.Destroy());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await session.RegenerateAsync());
        Assert.Equal("1", session["a"]);   // reading stays fine
    }

    [Fact]
    public async Task The_status_says_whether_the_request_changed_or_destroyed_the_session()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s =>
        {
            Assert.Equal(SessionStatus.Unmodified, s.Status);
            s["a"] = "1";
            Assert.Equal(SessionStatus.Modified, s.Status);
        });
        await browser.RequestAsync(s =>
        {
            _ = s["a"];
            Assert.Equal(SessionStatus.Unmodified, s.Status);
            s.Destroy();
            Assert.Equal(SessionStatus.Destroyed, s.Status);
        });
    }

    [Fact]
    public async Task The_id_is_stable_across_requests_and_is_not_the_token()
    {
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        var first = await browser.RequestAsync(s => { s["a"] = "1"; return s.Id; });
        var second = await browser.RequestAsync(s => s.Id);
        Assert.Equal(first, second);
        Assert.DoesNotContain(first, browser.Value!, StringComparison.Ordinal);
    }
}
