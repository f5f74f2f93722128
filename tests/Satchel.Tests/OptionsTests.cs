using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Satchel.Tests.Support;

namespace Satchel.Tests;

public class OptionsTests
{
    [Fact]
    public void Without_a_configured_key_a_random_one_is_used_and_a_warning_logged()
    {
        var logs = new LogCollector();
        using var manager = new SessionManager(new SatchelOptions(), loggerFactory: logs);
        var warning = Assert.Single(logs.At(LogLevel.Warning));
        Assert.Contains("Satchel:Secrets", warning.Message, StringComparison.Ordinal);
        var session = manager.Open(null, false, null);
        session["a"] = "1";
        Assert.Equal("1", session["a"]);
    }

    [Fact]
    public void A_shared_store_without_a_configured_key_is_a_startup_error_that_says_how_to_configure_one()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new SessionManager(new SatchelOptions(), new FailingStore(isShared: true)));
        Assert.Contains("Satchel:Secrets", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Satchel__Secrets__0", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("set this from a secret store, at least 32 characters", "spaces")]   // the placeholder docs/getting-started/aspnetcore.md had
    [InlineData("set this from a secret store: the output of openssl rand -base64 48", "spaces")]   // and has
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "different characters")]
    [InlineData("abababababababababababababababab1234", "different characters")]
    public void A_secret_that_is_obviously_not_random_is_refused_with_the_reason(string secret, string reason)
    {
        var options = new SatchelOptions();
        options.Secrets.Add(secret);
        var ex = Assert.Throws<InvalidOperationException>(() => new SessionManager(options));
        Assert.Contains("Satchel:Secrets:0 is not a random value", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 48", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_from_a_random_generator_is_accepted()
    {
        var options = new SatchelOptions();
        options.Secrets.Add(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)));
        options.Secrets.Add(Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        using var manager = new SessionManager(options);
        Assert.NotNull(manager);
    }

    [Fact]
    public void A_short_secret_is_refused_with_its_length()
    {
        var options = new SatchelOptions();
        options.Secrets.Add("short");
        var ex = Assert.Throws<InvalidOperationException>(() => new SessionManager(options));
        Assert.Contains("Satchel:Secrets:0 is 5 characters, shorter than 32", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void A_secret_read_from_a_missing_configuration_key_is_reported_as_missing_not_as_short(string? secret)
    {
        var options = new SatchelOptions();
        options.Secrets.Add(secret!);   // what o.Secrets.Add(builder.Configuration["SessionKey"]!) does when the key is not set
        var ex = Assert.Throws<InvalidOperationException>(() => new SessionManager(options));
        Assert.Contains("Satchel:Secrets:0 is empty", ex.Message, StringComparison.Ordinal);
        Assert.Contains("configuration key that is not set", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("shorter", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_refused_with_what_to_fix()
    {
        var options = new SatchelOptions { IdleTimeout = TimeSpan.Zero };
        options.Cookie.Name = "bad name;";
        options.Cookie.UseHostPrefix = true;
        options.Cookie.Domain = "example.com";
        var ex = Assert.Throws<InvalidOperationException>(() => new SessionManager(options));
        Assert.Contains("IdleTimeout", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Cookie:Name", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UseHostPrefix", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_bind_from_the_Satchel_configuration_section_and_code_wins()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Satchel:IdleTimeout"] = "00:10:00",
            ["Satchel:AbsoluteTimeout"] = "08:00:00",
            ["Satchel:Secrets:0"] = TestSetup.Secret,
            ["Satchel:Cookie:Name"] = "app",
            ["Satchel:Cookie:SameSite"] = "Strict",
            ["Satchel:StoreFailurePolicy"] = "Degrade",
            ["Satchel:MaxKeys"] = "9",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddSatchel(o => o.MaxKeys = 12);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<SessionManager>().Options;

        Assert.Equal(TimeSpan.FromMinutes(10), options.IdleTimeout);
        Assert.Equal(TimeSpan.FromHours(8), options.AbsoluteTimeout);
        Assert.Equal([TestSetup.Secret], options.Secrets);
        Assert.Equal("app", options.Cookie.Name);
        Assert.Equal(SessionSameSite.Strict, options.Cookie.SameSite);
        Assert.Equal(StoreFailurePolicy.Degrade, options.StoreFailurePolicy);
        Assert.Equal(12, options.MaxKeys);
        Assert.IsType<MemorySessionStore>(provider.GetRequiredService<ISessionStore>());
    }

    [Fact]
    public void AddSatchel_works_without_any_configuration_and_resolving_Session_outside_a_request_says_what_to_do()
    {
        var services = new ServiceCollection();
        services.AddSatchel().UseStore(_ => new MemorySessionStore());
        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetRequiredService<SessionAdmin>());
        using var scope = provider.CreateScope();
        var ex = Assert.Throws<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<Session>());
        Assert.Contains("UseSatchel", ex.Message, StringComparison.Ordinal);
    }
}
