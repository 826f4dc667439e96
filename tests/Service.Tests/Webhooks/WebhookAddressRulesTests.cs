using System.Net;
using SpeechEmotion.Processing.Webhooks;

namespace SpeechEmotion.Service.Tests.Webhooks;

public sealed class WebhookAddressRulesTests
{
    [Theory]
    [InlineData("http://127.0.0.1/hook")]
    [InlineData("http://127.1/hook")]
    [InlineData("http://0.0.0.0:8080/")]
    [InlineData("http://10.1.2.3/")]
    [InlineData("http://172.16.0.9/")]
    [InlineData("http://172.31.255.1/")]
    [InlineData("https://192.168.1.20/crm")]
    [InlineData("http://100.64.0.1/")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://224.0.0.251/")]
    [InlineData("http://255.255.255.255/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://[::]/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[fd12:3456::1]/")]
    [InlineData("http://[ff02::1]/")]
    [InlineData("http://[::ffff:10.0.0.1]/")]
    [InlineData("http://localhost:8080/")]
    [InlineData("http://LOCALHOST./")]
    [InlineData("http://crm.localhost/")]
    public void Literal_private_hosts_are_not_allowed_unless_private_networks_are(string url)
    {
        Assert.Equal(WebhookUrlCheck.NotAllowed, WebhookAddressRules.Check(url, allowPrivateNetworks: false));
        Assert.Equal(WebhookUrlCheck.Valid, WebhookAddressRules.Check(url, allowPrivateNetworks: true));
    }

    [Theory]
    [InlineData("https://crm.example.com/hooks/emotion")]
    [InlineData("http://93.184.216.34/hook")]
    [InlineData("http://172.32.0.1/")]
    [InlineData("http://[2606:2800:220:1:248:1893:25c8:1946]/")]
    public void Public_hosts_and_names_are_valid(string url) =>
        Assert.Equal(WebhookUrlCheck.Valid, WebhookAddressRules.Check(url, allowPrivateNetworks: false));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ftp://example.com/hook")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/relative/hook")]
    [InlineData("not a url")]
    [InlineData("https://example.com/\nhook")]
    public void Anything_but_an_absolute_http_url_is_invalid(string? url) =>
        Assert.Equal(WebhookUrlCheck.Invalid, WebhookAddressRules.Check(url, allowPrivateNetworks: true));

    [Fact]
    public void Over_2048_characters_is_invalid() =>
        Assert.Equal(WebhookUrlCheck.Invalid, WebhookAddressRules.Check("https://example.com/" + new string('a', 2048), allowPrivateNetworks: false));

    [Theory]
    [InlineData("8.8.8.8", false)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("127.0.0.53", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    public void Connected_addresses_are_judged_by_the_same_rule(string address, bool isPrivate) =>
        Assert.Equal(isPrivate, WebhookAddressRules.IsPrivate(IPAddress.Parse(address)));
}
