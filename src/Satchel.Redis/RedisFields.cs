namespace Satchel.Redis;

/// <summary>
/// The fields of a session hash (<c>{prefix}s:{key}</c>), named once: the C# code reads and writes
/// them by these names, and the Lua scripts (<see cref="RedisScripts"/>) have them put into their
/// source from here, so the two cannot drift apart.
/// </summary>
internal static class RedisFields
{
    /// <summary>When the session was created (Unix ms).</summary>
    public const string Created = "_c";

    /// <summary>The last access (Unix ms): the idle expiry counts from it.</summary>
    public const string LastAccess = "_a";

    /// <summary>The idle timeout (ms).</summary>
    public const string Idle = "_i";

    /// <summary>The absolute deadline (Unix ms), absent when none.</summary>
    public const string Deadline = "_d";

    /// <summary>"1" for a persistent (remember-me) session.</summary>
    public const string Persistent = "_p";

    /// <summary>The user id, absent when none.</summary>
    public const string User = "_u";

    /// <summary>The user agent, absent when none.</summary>
    public const string UserAgent = "_ua";

    /// <summary>Before each value's key: <c>v:cart</c> holds the JSON of the value <c>cart</c>.</summary>
    public const string ValuePrefix = "v:";
}
