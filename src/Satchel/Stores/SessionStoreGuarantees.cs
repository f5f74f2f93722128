namespace Satchel.Stores;

/// <summary>
/// What a store promises beyond loading, writing and deleting sessions, declared by
/// <see cref="ISessionStore.Guarantees"/>. The conformance suite (<c>Satchel.Testing</c>) checks
/// every guarantee a store declares and treats the others as not applicable; the store's docs page
/// lists them in the shared table.
/// </summary>
[Flags]
public enum SessionStoreGuarantees
{
    /// <summary>None beyond the basic contract.</summary>
    None = 0,

    /// <summary>
    /// Several processes see the same sessions. Such a store needs configured
    /// <see cref="SatchelOptions.Secrets"/>, since a per-process random key would reject every
    /// other process's cookies.
    /// </summary>
    Shared = 1,

    /// <summary>
    /// A change set applies atomically, key by key: parallel requests that change different keys
    /// of one session all keep their writes.
    /// </summary>
    AtomicChanges = 2,

    /// <summary>
    /// An update applies only while the record exists: a session that was destroyed, regenerated
    /// or expired is never brought back by a late commit.
    /// </summary>
    NoResurrection = 4,
}
