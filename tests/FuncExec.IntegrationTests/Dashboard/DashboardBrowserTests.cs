using FuncExec.Client;
using FuncExec.Core.Tasks;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Xunit.Abstractions;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Dashboard;

/// <summary>The dashboard in a real headless Chromium (Debian's <c>chromium</c> and <c>chromium-driver</c>,
/// which <c>test.sh</c> installs when missing), against real scheduler and node processes.</summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task KillButton_LongRunningTask_PageShowsItKilledAndTheCoreBusyWithTheNext()
    {
        await using var cluster = await DashboardCluster.StartAsync(workers: 1, nodeName: "web1");
        // A named computation: some quick tasks (for the charts), then a long one and one queued behind it.
        await using var client = await Cluster.ConnectAsync(cluster.Address, DashboardCluster.ClientOptions);
        await using var computation = await client.ScheduleAsync(new ComputationOptions { Name = "dashboard-demo" });
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => computation.RunAsync<int>(Method($"quick-{i}", "System.Math.Abs", -i))));
        var longTask = await computation.SubmitAsync<int>(Code("long", "System.Threading.Thread.Sleep(60000); return 1;"));
        var nextTask = await computation.SubmitAsync<int>(Code("next", "System.Threading.Thread.Sleep(60000); return 2;"));
        using var browser = StartChromium();
        var wait = new WebDriverWait(browser, Wait);
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException), typeof(NoSuchElementException), typeof(ElementClickInterceptedException));

        await browser.Navigate().GoToUrlAsync(cluster.Url);

        // The test cluster's worker is listed.
        var worker = wait.Until(d => d.FindElement(By.CssSelector("#workers tr.worker[data-worker='web1/worker-0']")));
        Assert.Contains("web1/worker-0", worker.Text, StringComparison.Ordinal);

        // The long task shows running, on that worker.
        var longId = wait.Until(d => TaskRow(d, "long") is { } row && row.GetAttribute("data-state") == "running" ? row.GetAttribute("data-task-id") : null)!;
        Assert.Equal(longTask.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), longId);
        wait.Until(d => d.FindElement(By.CssSelector("#workers tr.worker[data-worker='web1/worker-0']")).GetAttribute("data-task") == longId);

        // Give the secret, then kill it from its row.
        browser.FindElement(By.Id("secret")).SendKeys(DashboardCluster.Secret);
        browser.FindElement(By.Id("unlock")).Click();
        wait.Until(d => d.FindElement(By.Id("auth")).GetAttribute("data-unlocked") == "true");
        wait.Until(d =>
        {
            d.FindElement(By.CssSelector($"#tasks tr[data-task-id='{longId}'] button.kill")).Click();
            return true;
        });

        // The page shows it killed, and the core busy with the next task.
        wait.Until(d => d.FindElement(By.CssSelector($"#tasks tr[data-task-id='{longId}']")).GetAttribute("data-state") == "killed");
        var nextId = wait.Until(d => TaskRow(d, "next") is { } row && row.GetAttribute("data-state") == "running" ? row.GetAttribute("data-task-id") : null)!;
        Assert.Equal(nextTask.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), nextId);
        wait.Until(d =>
        {
            var row = d.FindElement(By.CssSelector("#workers tr.worker[data-worker='web1/worker-0']"));
            return row.GetAttribute("data-state") == "busy" && row.GetAttribute("data-task") == nextId;
        });
        // The charts have drawn, and the computation is listed with its client.
        wait.Until(d => d.FindElements(By.CssSelector("#timeline canvas, #throughput canvas")).Count == 2);
        wait.Until(d => d.FindElement(By.Id("computations")).Text.Contains("dashboard-demo", StringComparison.Ordinal));

        var screenshot = SaveScreenshot(browser, "dashboard.png");
        output.WriteLine($"screenshot: {screenshot}");
        Console.WriteLine($"dashboard screenshot: {screenshot}");

        Assert.Equal(TaskState.Killed, (await longTask.Completion.WaitAsync(Wait)).State);
        await nextTask.KillAsync();
    }

    [Fact]
    public async Task ErrorCell_TaskThrowsWithACause_RowShowsTheErrorAndItsDetailTheCauseNested()
    {
        await using var cluster = await DashboardCluster.StartAsync(workers: 1, nodeName: "err1");
        var report = Assert.Single(await cluster.Client.RunAsync([Code("boom", DashboardApiTests.ThrowsWithACause)]));
        using var browser = StartChromium();
        var cell = await OpenErrorAsync(browser, cluster.Url, report.Id);
        Assert.Equal("System.InvalidOperationException: outer", cell);

        var top = browser.FindElement(By.CssSelector("#task-error-body > .error-node"));
        Assert.Equal(("System.InvalidOperationException", "outer"), TypeAndMessage(top));
        Assert.NotEmpty(top.FindElement(By.CssSelector(":scope > details > pre")).Text);
        var cause = Assert.Single(top.FindElements(By.CssSelector(":scope > .error-causes > .error-node")));
        Assert.Equal(("System.ArgumentException", "inner cause"), TypeAndMessage(cause));
        output.WriteLine($"screenshot: {SaveScreenshot(browser, "dashboard-error.png")}");
    }

    [Fact]
    public async Task ErrorText_MessageIsMarkup_ShownAsTextInTheRowAndTheDetail()
    {
        const string hostile = "<img src=x onerror=alert(1)>";
        await using var cluster = await DashboardCluster.StartAsync(workers: 1, nodeName: "err2");
        var report = Assert.Single(await cluster.Client.RunAsync([Code("hostile", "throw new InvalidOperationException(\"<img src=x onerror=alert(1)>\");")]));
        using var browser = StartChromium();
        var cell = await OpenErrorAsync(browser, cluster.Url, report.Id);
        Assert.Equal($"System.InvalidOperationException: {hostile}", cell);
        var id = report.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(("System.InvalidOperationException", hostile), TypeAndMessage(browser.FindElement(By.CssSelector("#task-error-body > .error-node"))));
        // Parsed as markup it would be an image whose error handler opens an alert (which would also fail every later call).
        Assert.Empty(browser.FindElements(By.CssSelector("#tasks img, #task-error img")));
        Assert.Equal(hostile, browser.FindElement(By.CssSelector($"#tasks tr[data-task-id='{id}'] td.error")).GetAttribute("textContent")![^hostile.Length..]);
    }

    /// <summary>Opens the dashboard, waits for the task's error cell, clicks it and waits for the detail to load.</summary>
    /// <returns>The cell's text.</returns>
    private static async Task<string> OpenErrorAsync(ChromeDriver browser, Uri url, long taskId)
    {
        var wait = new WebDriverWait(browser, Wait);
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException), typeof(NoSuchElementException));
        await browser.Navigate().GoToUrlAsync(url);
        var id = taskId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var cell = wait.Until(d => d.FindElement(By.CssSelector($"#tasks tr[data-task-id='{id}'] td.error")));
        var text = cell.Text;
        cell.Click();
        wait.Until(d => d.FindElement(By.Id("task-error")).GetAttribute("data-loaded") == "true");
        return text;
    }

    private static (string Type, string Message) TypeAndMessage(IWebElement node) =>
        (node.FindElement(By.CssSelector(":scope > .error-head > .error-type")).Text, node.FindElement(By.CssSelector(":scope > .error-head > .error-message")).Text);

    private static IWebElement? TaskRow(IWebDriver driver, string name) =>
        driver.FindElements(By.XPath($"//table[@id='tasks']//tr[td[2][normalize-space()='{name}']]")).FirstOrDefault();

    internal static string SaveScreenshot(ITakesScreenshot browser, string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        browser.GetScreenshot().SaveAsFile(path);
        return path;
    }

    /// <summary>The system's Chromium through the system's chromedriver: nothing is downloaded.</summary>
    internal static ChromeDriver StartChromium()
    {
        var browser = FindExecutable("chromium") ?? FindExecutable("chromium-browser");
        var driver = FindExecutable("chromedriver");
        Assert.True(
            browser is not null && driver is not null,
            "the browser test needs Debian's chromium and chromium-driver packages (./test.sh installs them when missing): "
            + $"chromium {(browser is null ? "not found" : "found")}, chromedriver {(driver is null ? "not found" : "found")} on PATH");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = browser };
        // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1500");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    private static string? FindExecutable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
