namespace Satchel;

/// <summary>The session cookie's name and attributes. The defaults follow OWASP's advice.</summary>
public sealed class SessionCookieOptions
{
    /// <summary>Cookie name. Default <c>sid</c>: generic, naming no stack.</summary>
    public string Name { get; set; } = "sid";

    /// <summary>
    /// Prefix the name with <c>__Host-</c>, which browsers accept only with Secure, Path=/ and no
    /// Domain, so no subdomain can plant or shadow the cookie. Forces <see cref="Secure"/> to
    /// <see cref="SessionCookieSecurePolicy.Always"/>. Default off, because it needs HTTPS.
    /// </summary>
    public bool UseHostPrefix { get; set; }

    /// <summary>Cookie path. Default <c>/</c>.</summary>
    public string Path { get; set; } = "/";

    /// <summary>Cookie domain. Default none: the cookie goes back only to the host that set it.</summary>
    public string? Domain { get; set; }

    /// <summary>SameSite attribute. Default <see cref="SessionSameSite.Lax"/>.</summary>
    public SessionSameSite SameSite { get; set; } = SessionSameSite.Lax;

    /// <summary>When the cookie is marked Secure. Default: when the request came over HTTPS.</summary>
    public SessionCookieSecurePolicy Secure { get; set; } = SessionCookieSecurePolicy.SameAsRequest;

    /// <summary>
    /// Whether the session cookie is essential to the app, so ASP.NET Core's cookie policy
    /// (<c>UseCookiePolicy</c> with <c>CheckConsentNeeded</c>) lets it through before the user
    /// consents to non-essential cookies. Default <see langword="false"/>, as ASP.NET Core's own
    /// session: until consent, no session cookie is sent (Satchel logs it once). Set it for sessions
    /// the app cannot work without (sign-in, a cart). Servers without a cookie policy ignore it.
    /// </summary>
    public bool IsEssential { get; set; }

    /// <summary>The name the cookie really has, with the <c>__Host-</c> prefix when it is on.</summary>
    public string EffectiveName => UseHostPrefix ? "__Host-" + Name : Name;

    internal void Validate(List<string> errors)
    {
        if (string.IsNullOrEmpty(Name) || !Name.All(IsTokenChar))
            errors.Add($"Satchel:Cookie:Name '{Name}' is not a valid cookie name (letters, digits and !#$%&'*+-.^_`|~ only).");
        if (string.IsNullOrEmpty(Path) || Path[0] != '/' || Path.Any(c => c is ';' or ',' || char.IsControl(c)))
            errors.Add($"Satchel:Cookie:Path '{Path}' must start with '/' and hold no ';' or ','.");
        if (Domain is not null && (Domain.Length == 0 || Domain.Any(c => c is ';' or ',' or ' ' || char.IsControl(c))))
            errors.Add($"Satchel:Cookie:Domain '{Domain}' is not a valid domain.");
        if (UseHostPrefix && (Path != "/" || Domain is not null))
            errors.Add("Satchel:Cookie:UseHostPrefix needs Path '/' and no Domain (browsers reject a __Host- cookie otherwise).");
        if (SameSite == SessionSameSite.None && Secure != SessionCookieSecurePolicy.Always && !UseHostPrefix)
            errors.Add("Satchel:Cookie:SameSite None needs Secure = Always (browsers reject SameSite=None without Secure).");
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
