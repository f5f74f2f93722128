using System.Diagnostics;

namespace Satchel.Tests.Support;

/// <summary>
/// Real time with the system clock's fine ticks, but moved only by the monotonic counter: the wall
/// clock of a CI machine can be stepped by minutes mid-run (seen: 128 s), and a test that waits for
/// real time to pass must not see it run backwards.
/// </summary>
public sealed class SteadyClock : TimeProvider
{
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private readonly long _started = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => _start + Stopwatch.GetElapsedTime(_started);
}
