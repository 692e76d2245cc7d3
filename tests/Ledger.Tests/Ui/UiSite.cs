using System.Net;
using Ledger.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Ledger.Tests.Ui;

/// <summary>
/// The real Program on Kestrel at a loopback port (a browser needs a TCP URL; TestServer has none),
/// against the shared test cluster with a schema of its own, the test API keys and provider accounts.
/// </summary>
public sealed class LedgerSite : WebApplicationFactory<Program>
{
    private readonly IDictionary<string, string?> _settings;

    public LedgerSite(string connectionString)
    {
        _settings = TestAccounts.Load();
        _settings["ConnectionStrings:Ledger"] = connectionString;
        _settings["Ledger:Schema"] = "ui" + Guid.NewGuid().ToString("N")[..12];
        JasperFx.CommandLine.JasperFxEnvironment.AutoStartHost = true;
        UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Starts Kestrel and answers its address, e.g. http://127.0.0.1:41234.</summary>
    public Uri Start()
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }
}

/// <summary>
/// One Chromium (Debian's /usr/bin/chromium: Playwright never downloads a browser here) and one site per
/// test class; each test gets a fresh browser context, so sessionStorage (the API key) starts empty.
/// </summary>
public sealed class UiBrowser : IAsyncLifetime
{
    public static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IPlaywright? _playwright;
    private LedgerSite? _site;

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseUrl { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The site's services (its event store, to write what an earlier build wrote).</summary>
    public IServiceProvider Services => _site?.Services ?? throw new InvalidOperationException("Start the site first (SiteAsync).");

    public static string ScreenshotDirectory
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable("LEDGER_UI_SCREENSHOTS") is { Length: > 0 } configured
                ? configured
                : Path.Combine(AppContext.BaseDirectory, "TestResults", "ui-screenshots");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 30_000,
        });
    }

    /// <summary>The site, started on first use against the shared fixture's cluster.</summary>
    public async Task<Uri> SiteAsync(LedgerFixture fixture)
    {
        await _gate.WaitAsync();
        try
        {
            if (_site is null)
            {
                _site = new LedgerSite(fixture.ConnectionString);
                BaseUrl = _site.Start();
                Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
            }

            return BaseUrl;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }
    }
}
