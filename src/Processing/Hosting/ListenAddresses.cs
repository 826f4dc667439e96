using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace SpeechEmotion.Processing.Hosting;

/// <summary>
/// Where a service listens when whoever starts it chose nothing. The default is applied here rather than as "Urls" in
/// appsettings.json, because appsettings.json is read after the ASPNETCORE_* variables and would beat
/// ASPNETCORE_URLS. Any of these is a choice and is left alone: ASPNETCORE_URLS, --urls, Urls= (environment or
/// command line), ASPNETCORE_HTTP_PORTS / HTTPS_PORTS, or Kestrel:Endpoints.
/// </summary>
public static class ListenAddresses
{
    public static WebApplicationBuilder ListenOnUnlessConfigured(this WebApplicationBuilder builder, string defaultUrls)
    {
        if (!AddressIsConfigured(builder.Configuration))
        {
            builder.WebHost.UseUrls(defaultUrls);
        }
        return builder;
    }

    private static bool AddressIsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").Exists();
}
