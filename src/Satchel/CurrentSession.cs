namespace Satchel;

/// <summary>The scoped slot a server adapter fills with the request's session.</summary>
internal sealed class CurrentSession
{
    public Session? Session { get; set; }
}
