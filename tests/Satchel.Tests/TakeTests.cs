using Satchel.Tests.Support;

namespace Satchel.Tests;

/// <summary>One-shot values: a flash message after a redirect is read once.</summary>
public sealed class TakeTests
{
    [Fact]
    public async Task Take_reads_a_one_shot_value_once()
    {
        var browser = new TestSetup().NewBrowser();
        await browser.RequestAsync(s => s.Set("flash", "Saved."));
        Assert.Equal("Saved.", await browser.RequestAsync(s => s.Take<string>("flash")));
        Assert.Null(await browser.RequestAsync(s => s.Take<string>("flash")));
        Assert.Equal(0, await browser.RequestAsync(s => s.Take<int>("missing")));
    }
}
