namespace Satchel;

/// <summary>Settings of the memory store (<c>AddSatchel().UseMemory(o =&gt; ...)</c>).</summary>
public sealed class MemorySessionStoreOptions
{
    /// <summary>How often expired sessions are swept out in the background. Default 1 minute.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Most sessions the store holds. At the limit, expired sessions are swept at once; if that
    /// frees nothing, the anonymous sessions (no <see cref="Session.UserId"/>) idle the longest are
    /// evicted, 5 % of the limit at a time (metric <c>satchel.memory_store.evicted</c>), so a flood
    /// of new sessions from one client never locks out sign-in. Sessions of signed-in users are
    /// never evicted: only when every session held is one is a new session refused (503 under
    /// <see cref="StoreFailurePolicy.Fail"/>, an empty session under Degrade; metric
    /// <c>satchel.memory_store.refused</c>). Default 1,000,000: about 270 MB of sessions of two small
    /// values, instead of growing the process without bound.
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
