namespace Satchel.Tests.Support;

/// <summary>The adapter side of a session in tests: response headers in a dictionary, and every Set-Cookie the session sent.</summary>
public sealed class RecordingCookieSink : SessionCookieSink
{
    public Dictionary<string, string[]> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The session's Set-Cookie after each send (null when it took its cookie back).</summary>
    public List<string?> History { get; } = [];

    public string? Current => History.Count == 0 ? null : History[^1];

    public bool Started { get; set; }

    protected override bool HasStarted => Started;

    /// <summary>Times the session told the adapter a load was about to block its thread.</summary>
    public int SynchronousLoads { get; private set; }

    protected override void OnSynchronousLoad() => SynchronousLoads++;

    protected override string[] GetHeader(string name) => Headers.TryGetValue(name, out var values) ? values : [];

    protected override void SetHeader(string name, string[] values)
    {
        Headers[name] = values;
        if (name == "Set-Cookie") History.Add(values.Length == 0 ? null : values[^1]);
    }
}
