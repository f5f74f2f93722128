namespace Satchel;

/// <summary>Settings of the memory store (<c>AddSatchel().UseMemory(o =&gt; ...)</c>).</summary>
public sealed class MemorySessionStoreOptions
{
    /// <summary>How often expired sessions are swept out in the background. Default 1 minute.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    internal void Validate()
    {
        if (SweepInterval <= TimeSpan.Zero)
            throw new InvalidOperationException($"Invalid memory store options: SweepInterval must be positive (was {SweepInterval}).");
    }
}
