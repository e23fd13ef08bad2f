using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Mlops.Durable.Client;

/// <summary>
/// A typed client of the Durable Functions HTTP management API (<c>/runtime/webhooks/durabletask</c>, spec §6.2):
/// start, query, wait, raise events, terminate, suspend, resume, restart, purge and list instances.
/// </summary>
/// <remarks>Build it from the <c>durableClient</c> binding value with <see cref="FromBindingPayload"/>, or from options.</remarks>
public sealed class DurableClient
{
    private const string ContinuationHeader = "x-ms-continuation-token";
    private const string DefaultConnectionName = "Storage";
    private readonly HttpClient http;
    private readonly string baseUrl;

    /// <summary>Creates a client over <paramref name="http"/> (the caller owns its lifetime).</summary>
    public DurableClient(HttpClient http, DurableClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.BaseUri.IsAbsoluteUri)
        {
            throw new ArgumentException($"BaseUri must be absolute, got '{options.BaseUri}'.", nameof(options));
        }

        this.http = http;
        this.Options = options;
        this.baseUrl = options.BaseUri.AbsoluteUri.TrimEnd('/');
    }

    /// <summary>The options the client was built with.</summary>
    public DurableClientOptions Options { get; }

    /// <summary>
    /// Creates a client from the <c>durableClient</c> binding JSON (§6.1; decode <c>Data.&lt;name&gt;</c> first with
    /// <see cref="CustomHandlerPayload.ReadDurableClientPayload"/>). Uses <c>httpBaseUrl</c> when the extension sends it;
    /// older extensions do not, and then <paramref name="hostBaseUri"/> (or <c>http.BaseAddress</c>) + <c>/runtime/webhooks/durabletask</c> is used.
    /// </summary>
    /// <exception cref="ArgumentException">The JSON is not an object, or no base URL can be determined.</exception>
    public static DurableClient FromBindingPayload(string json, HttpClient http, Uri? hostBaseUri = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(http);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"The durableClient payload is not JSON: {error.Message}", nameof(json), error);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"The durableClient payload must be a JSON object, not {document.RootElement.ValueKind}.", nameof(json));
            }

            string? Read(string name)
            {
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
                    {
                        return property.Value.GetString();
                    }
                }

                return null;
            }

            Uri baseUri;
            if (!string.IsNullOrWhiteSpace(Read("httpBaseUrl")) && Uri.TryCreate(Read("httpBaseUrl"), UriKind.Absolute, out Uri? httpBase))
            {
                baseUri = httpBase;
            }
            else if ((hostBaseUri ?? http.BaseAddress) is { IsAbsoluteUri: true } host)
            {
                baseUri = new Uri(host.GetLeftPart(UriPartial.Authority) + "/runtime/webhooks/durabletask");
            }
            else
            {
                throw new ArgumentException("The durableClient payload has no httpBaseUrl (extension 2.13.7 or older): pass hostBaseUri, e.g. http://localhost:7071.", nameof(hostBaseUri));
            }

            return new DurableClient(http, new DurableClientOptions
            {
                BaseUri = baseUri,
                TaskHub = Read("taskHubName"),
                ConnectionName = Read("connectionName"),
                RequiredQueryStringParameters = Read("requiredQueryStringParameters"),
            });
        }
    }

    /// <summary>Starts an orchestration; returns its instance ID (the one given, or the one the extension generated).</summary>
    /// <exception cref="DurableClientException">400 unknown orchestrator / bad ID / bad JSON; 409 or 500 when a running instance has that ID.</exception>
    public async Task<string> StartNewAsync(string orchestratorName, string? instanceId = null, object? input = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(orchestratorName);
        string path = "orchestrators/" + Uri.EscapeDataString(orchestratorName) + (instanceId is null ? string.Empty : "/" + Uri.EscapeDataString(instanceId));
        using HttpContent? content = input is null ? null : this.JsonContent(input);
        using HttpResponseMessage response = await this.SendAsync(HttpMethod.Post, path, [], content, null, cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.OK))
        {
            throw Error($"Starting orchestrator '{orchestratorName}'{(instanceId is null ? string.Empty : $" as instance '{instanceId}'")} failed", response, body);
        }

        return ReadId(body) ?? instanceId ?? throw Error($"Starting orchestrator '{orchestratorName}' returned no instance id", response, body);
    }

    /// <summary>The status of an instance, or null when it does not exist.</summary>
    public async Task<OrchestrationStatus?> GetStatusAsync(string instanceId, bool showHistory = false, bool showHistoryOutput = false, bool showInput = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        using HttpResponseMessage response = await this.SendAsync(
            HttpMethod.Get,
            InstancePath(instanceId),
            [("showHistory", Bool(showHistory)), ("showHistoryOutput", Bool(showHistoryOutput)), ("showInput", Bool(showInput))],
            null,
            null,
            cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        // 202 while running, 200 when finished, 500 for Failed only with returnInternalServerErrorOnFailure.
        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted or HttpStatusCode.InternalServerError && TryParseStatus(body, out OrchestrationStatus? status))
        {
            return status;
        }

        throw Error($"Reading the status of instance '{instanceId}' failed", response, body);
    }

    /// <summary>Polls the status until the instance is Completed, Failed, Terminated or Canceled.</summary>
    /// <exception cref="DurableClientException">404: the instance does not exist.</exception>
    public async Task<OrchestrationStatus> WaitForCompletionAsync(string instanceId, TimeSpan? pollingInterval = null, CancellationToken cancellationToken = default)
    {
        TimeSpan interval = pollingInterval ?? this.Options.PollingInterval;
        while (true)
        {
            OrchestrationStatus status = await this.GetStatusAsync(instanceId, showInput: false, cancellationToken: cancellationToken).ConfigureAwait(false)
                ?? throw new DurableClientException($"Instance '{instanceId}' does not exist.", 404);
            if (status.IsTerminal)
            {
                return status;
            }

            await Task.Delay(interval, this.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Raises an external event on an instance (the payload is sent as JSON).</summary>
    /// <exception cref="DurableClientException">404 unknown instance; 410 instance already finished.</exception>
    public async Task RaiseEventAsync(string instanceId, string eventName, object? eventData = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        using HttpContent content = this.JsonContent(eventData);
        await this.ExpectAcceptedAsync(HttpMethod.Post, InstancePath(instanceId) + "/raiseEvent/" + Uri.EscapeDataString(eventName), [], content, $"Raising event '{eventName}' on instance '{instanceId}'", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Terminates an instance.</summary>
    /// <exception cref="DurableClientException">404 unknown instance; 410 instance already finished.</exception>
    public Task TerminateAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default) =>
        this.ExpectAcceptedAsync(HttpMethod.Post, InstancePath(instanceId) + "/terminate", Reason(reason), null, $"Terminating instance '{instanceId}'", cancellationToken);

    /// <summary>Suspends an instance.</summary>
    /// <exception cref="DurableClientException">404 unknown instance; 410 instance already finished.</exception>
    public Task SuspendAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default) =>
        this.ExpectAcceptedAsync(HttpMethod.Post, InstancePath(instanceId) + "/suspend", Reason(reason), null, $"Suspending instance '{instanceId}'", cancellationToken);

    /// <summary>Resumes a suspended instance.</summary>
    /// <exception cref="DurableClientException">404 unknown instance; 410 instance already finished.</exception>
    public Task ResumeAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default) =>
        this.ExpectAcceptedAsync(HttpMethod.Post, InstancePath(instanceId) + "/resume", Reason(reason), null, $"Resuming instance '{instanceId}'", cancellationToken);

    /// <summary>Restarts an instance with its original input; returns the ID of the restarted instance.</summary>
    /// <exception cref="DurableClientException">400 unknown instance.</exception>
    public async Task<string> RestartAsync(string instanceId, bool restartWithNewInstanceId = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        using HttpResponseMessage response = await this.SendAsync(HttpMethod.Post, InstancePath(instanceId) + "/restart", [("restartWithNewInstanceId", Bool(restartWithNewInstanceId))], null, null, cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.OK))
        {
            throw Error($"Restarting instance '{instanceId}' failed", response, body);
        }

        return ReadId(body) ?? instanceId;
    }

    /// <summary>Deletes an instance's history and state; returns the number of instances deleted (0 when it did not exist).</summary>
    public async Task<int> PurgeAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        return await this.PurgeCoreAsync(InstancePath(instanceId), [], $"Purging instance '{instanceId}'", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every instance created in a time range (optionally only some statuses); returns how many were deleted.</summary>
    public Task<int> PurgeAsync(DateTimeOffset createdTimeFrom, DateTimeOffset? createdTimeTo = null, IEnumerable<OrchestrationRuntimeStatus>? runtimeStatus = null, CancellationToken cancellationToken = default)
    {
        List<(string, string?)> query = [("createdTimeFrom", Time(createdTimeFrom))];
        if (createdTimeTo is { } to)
        {
            query.Add(("createdTimeTo", Time(to)));
        }

        if (runtimeStatus?.ToList() is { Count: > 0 } statuses)
        {
            query.Add(("runtimeStatus", string.Join(',', statuses)));
        }

        return this.PurgeCoreAsync("instances", query, "Purging instances", cancellationToken);
    }

    /// <summary>Lists instances page by page (following <c>x-ms-continuation-token</c>), without history.</summary>
    public async IAsyncEnumerable<OrchestrationStatus> ListAsync(InstanceQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= new InstanceQuery();
        List<(string, string?)> parameters = [("showInput", Bool(query.ShowInput))];
        if (query.InstanceIdPrefix is not null)
        {
            parameters.Add(("instanceIdPrefix", query.InstanceIdPrefix));
        }

        if (query.CreatedTimeFrom is { } from)
        {
            parameters.Add(("createdTimeFrom", Time(from)));
        }

        if (query.CreatedTimeTo is { } to)
        {
            parameters.Add(("createdTimeTo", Time(to)));
        }

        if (query.RuntimeStatus is { Count: > 0 } statuses)
        {
            parameters.Add(("runtimeStatus", string.Join(',', statuses)));
        }

        if (query.PageSize is { } top)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(top, 1, nameof(query));
            parameters.Add(("top", top.ToString(CultureInfo.InvariantCulture)));
        }

        string? token = null;
        do
        {
            using HttpResponseMessage response = await this.SendAsync(HttpMethod.Get, "instances", parameters, null, token, cancellationToken).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw Error("Listing instances failed", response, body);
            }

            using (JsonDocument page = JsonDocument.Parse(body))
            {
                if (page.RootElement.ValueKind != JsonValueKind.Array)
                {
                    throw Error("Listing instances returned a non-array body", response, body);
                }

                foreach (JsonElement item in page.RootElement.EnumerateArray())
                {
                    yield return OrchestrationStatus.Parse(item);
                }
            }

            string? next = response.Headers.TryGetValues(ContinuationHeader, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
            token = IsEndOfList(next) || next == token ? null : next;
        }
        while (token is not null);
    }

    /// <summary>
    /// The check-status body for an HTTP 202 answer to <paramref name="requestBaseUri"/> (its scheme and host are kept,
    /// as the extension does): respond with it, <c>Location: StatusQueryGetUri</c> and <c>Retry-After: 10</c>.
    /// </summary>
    public CheckStatusPayload CreateCheckStatusPayload(Uri requestBaseUri, string instanceId)
    {
        ArgumentNullException.ThrowIfNull(requestBaseUri);
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        if (!requestBaseUri.IsAbsoluteUri)
        {
            throw new ArgumentException($"requestBaseUri must be absolute, got '{requestBaseUri}'.", nameof(requestBaseUri));
        }

        string instance = requestBaseUri.GetLeftPart(UriPartial.Authority) + "/runtime/webhooks/durabletask/instances/" + Uri.EscapeDataString(instanceId);
        var common = new StringBuilder();
        var required = this.Options.RequiredQueryStringParameters ?? "";
        // Hosts differ: some put only code=... in requiredQueryStringParameters, others the whole webhook query
        // (taskHub, connection, code). Never repeat a parameter the host already gave.
        bool hostGives(string name) => required.Split('&').Any(p => p.StartsWith(name + "=", StringComparison.OrdinalIgnoreCase));
        if (this.Options.TaskHub is not null && !hostGives("taskHub"))
        {
            common.Append("taskHub=").Append(Uri.EscapeDataString(this.Options.TaskHub)).Append('&');
        }

        if (!hostGives("connection"))
        {
            common.Append("connection=").Append(Uri.EscapeDataString(this.Options.ConnectionName ?? DefaultConnectionName)).Append('&');
        }

        common.Append(required);
        if (common.Length > 0 && common[^1] == '&')
        {
            common.Length--;
        }

        string q = common.ToString();
        return new CheckStatusPayload(
            Id: instanceId,
            StatusQueryGetUri: $"{instance}?{q}",
            SendEventPostUri: $"{instance}/raiseEvent/{{eventName}}?{q}",
            TerminatePostUri: $"{instance}/terminate?reason={{text}}&{q}",
            PurgeHistoryDeleteUri: $"{instance}?{q}",
            RestartPostUri: $"{instance}/restart?{q}",
            SuspendPostUri: $"{instance}/suspend?reason={{text}}&{q}",
            ResumePostUri: $"{instance}/resume?reason={{text}}&{q}");
    }

    private static string InstancePath(string instanceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        return "instances/" + Uri.EscapeDataString(instanceId);
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static List<(string, string?)> Reason(string? reason) => reason is null ? [] : [("reason", reason)];

    // The Azure Storage provider ends a listing with the base64 of "null" rather than no header.
    private static bool IsEndOfList(string? token) => string.IsNullOrEmpty(token) || token == "bnVsbA==" || token == "null";

    private static string? ReadId(string body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, "id", StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } id
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryParseStatus(string body, out OrchestrationStatus? status)
    {
        status = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            status = OrchestrationStatus.Parse(document.RootElement);
            return true;
        }
        catch (Exception error) when (error is JsonException or FormatException)
        {
            return false;
        }
    }

    private static DurableClientException Error(string what, HttpResponseMessage response, string body)
    {
        string? detail = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                // The extension's error body is Web API "HttpError"-style: prefer the exception message over the generic one.
                detail = new[] { "ExceptionMessage", "Message" }
                    .Select(name => document.RootElement.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value)
                    .Where(value => value.ValueKind == JsonValueKind.String)
                    .Select(value => value.GetString())
                    .FirstOrDefault();
            }
        }
        catch (JsonException)
        {
            detail = body.Length > 300 ? body[..300] : body;
        }

        int code = (int)response.StatusCode;
        return new DurableClientException($"{what}: HTTP {code} {response.ReasonPhrase}{(string.IsNullOrEmpty(detail) ? string.Empty : ": " + detail)}", code, body);
    }

    private async Task ExpectAcceptedAsync(HttpMethod method, string path, List<(string, string?)> query, HttpContent? content, string what, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await this.SendAsync(method, path, query, content, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.OK))
        {
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw Error(what + " failed", response, body);
        }
    }

    private async Task<int> PurgeCoreAsync(string path, List<(string, string?)> query, string what, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await this.SendAsync(HttpMethod.Delete, path, query, null, null, cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw Error(what + " failed", response, body);
        }

        using JsonDocument document = JsonDocument.Parse(body);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, "instancesDeleted", StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.Number } count
            ? count.GetInt32()
            : 0;
    }

    private StringContent JsonContent(object? value) =>
        new(JsonSerializer.Serialize(value, value?.GetType() ?? typeof(object), this.Options.SerializerOptions), Encoding.UTF8, "application/json");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, List<(string Name, string? Value)> query, HttpContent? content, string? continuationToken, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(this.baseUrl).Append('/').Append(path);
        char separator = '?';
        void Add(string name, string value)
        {
            url.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        foreach ((string name, string? value) in query)
        {
            if (value is not null)
            {
                Add(name, value);
            }
        }

        if (this.Options.TaskHub is not null)
        {
            Add("taskHub", this.Options.TaskHub);
        }

        if (this.Options.ConnectionName is not null)
        {
            Add("connection", this.Options.ConnectionName);
        }

        if (!string.IsNullOrEmpty(this.Options.RequiredQueryStringParameters))
        {
            url.Append(separator).Append(this.Options.RequiredQueryStringParameters.TrimStart('?', '&'));
        }

        using var request = new HttpRequestMessage(method, url.ToString()) { Content = content };
        if (continuationToken is not null)
        {
            request.Headers.TryAddWithoutValidation(ContinuationHeader, continuationToken);
        }

        return await this.http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
