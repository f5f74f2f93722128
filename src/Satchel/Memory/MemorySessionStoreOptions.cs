namespace Satchel;

/// <summary>Settings of the memory store (<c>AddSatchel().UseMemory(o =&gt; ...)</c>).</summary>
public sealed class MemorySessionStoreOptions
{
    /// <summary>How often expired sessions are swept out in the background. Default 1 minute.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Most sessions the store holds. At the limit, expired sessions are swept at once, and if that
    /// frees nothing a new session is refused (the store fails the create: 503 under
    /// <see cref="StoreFailurePolicy.Fail"/>, an empty session under Degrade) while existing
    /// sessions go on working; the metric <c>satchel.memory_store.refused</c> counts them. Default
    /// 1,000,000: about 270 MB of sessions of two small values; one client creating 30,000 sessions
    /// a second reaches it in half a minute instead of growing the process without bound.
    /// </summary>
    public int MaxSessions { get; set; } = 1_000_000;

    internal void Validate()
    {
        if (SweepInterval <= TimeSpan.Zero)
            throw new InvalidOperationException($"Invalid memory store options: SweepInterval must be positive (was {SweepInterval}).");
        if (MaxSessions <= 0)
            throw new InvalidOperationException($"Invalid memory store options: MaxSessions must be positive (was {MaxSessions}).");
    }
}
