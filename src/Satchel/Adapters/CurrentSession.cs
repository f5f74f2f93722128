namespace Satchel.Adapters;

/// <summary>
/// The session of the request in progress, behind the <see cref="Session"/> service that
/// <c>AddSatchel()</c> registers. A server adapter sets it for the request's async flow after
/// <see cref="SessionManager.Open"/>; nothing is allocated in the DI scope for it.
/// </summary>
public static class CurrentSession
{
    private static readonly AsyncLocal<Session?> Slot = new();

    /// <summary>The current request's session, or <see langword="null"/> outside a request an adapter opened.</summary>
    public static Session? Value
    {
        get => Slot.Value;
        set => Slot.Value = value;
    }
}
