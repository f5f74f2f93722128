namespace Satchel.AspNetCore;

/// <summary>Settings for carrying ASP.NET Core sessions over to Satchel (<c>ImportAspNetCoreSessions</c>).</summary>
public sealed class AspNetCoreSessionImportOptions
{
    /// <summary>The ASP.NET Core session cookie's name, as <c>SessionOptions.Cookie.Name</c> had it. Default <c>.AspNetCore.Session</c>.</summary>
    public string CookieName { get; set; } = ".AspNetCore.Session";

    /// <summary>The old cookie's path, so expiring it reaches the browser's copy. Default <c>/</c>.</summary>
    public string CookiePath { get; set; } = "/";

    /// <summary>The old cookie's domain, if it had one.</summary>
    public string? CookieDomain { get; set; }
}
