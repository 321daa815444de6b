namespace Mellea.Backends.Watsonx;

/// <summary>
/// Settings of <see cref="WatsonxBackend"/>. Every property is optional: each falls back to its environment variable
/// (<c>WATSONX_URL</c>, <c>WATSONX_API_KEY</c>, <c>WATSONX_PROJECT_ID</c>, <c>WATSONX_SPACE_ID</c>, <c>WATSONX_IAM_URL</c>), then to its default.
/// </summary>
public sealed class WatsonxBackendOptions
{
    /// <summary>The environment variable of the service URL.</summary>
    public const string UrlVariable = "WATSONX_URL";

    /// <summary>The environment variable of the IBM Cloud API key.</summary>
    public const string ApiKeyVariable = "WATSONX_API_KEY";

    /// <summary>The environment variable of the project id.</summary>
    public const string ProjectIdVariable = "WATSONX_PROJECT_ID";

    /// <summary>The environment variable of the deployment space id.</summary>
    public const string SpaceIdVariable = "WATSONX_SPACE_ID";

    /// <summary>The environment variable of the IAM token endpoint.</summary>
    public const string IamUrlVariable = "WATSONX_IAM_URL";

    /// <summary>IBM Cloud's IAM token endpoint, used when neither the options nor the environment set one.</summary>
    public const string DefaultIamUrl = "https://iam.cloud.ibm.com/identity/token";

    /// <summary>The API version date sent as <c>?version=</c> when <see cref="ApiVersion"/> is unset.</summary>
    public const string DefaultApiVersion = "2025-12-02";

    /// <summary>The service URL, for example <c>https://us-south.ml.cloud.ibm.com</c>. Falls back to <c>WATSONX_URL</c>; there is no default.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The IBM Cloud API key exchanged for IAM tokens. Falls back to <c>WATSONX_API_KEY</c>. Never logged or shown.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The project every call runs in. Falls back to <c>WATSONX_PROJECT_ID</c>. Wins over <see cref="SpaceId"/> when both are set.</summary>
    public string? ProjectId { get; set; }

    /// <summary>The deployment space every call runs in, when there is no project. Falls back to <c>WATSONX_SPACE_ID</c>.</summary>
    public string? SpaceId { get; set; }

    /// <summary>The IAM token endpoint (on-premises installs, tests). Falls back to <c>WATSONX_IAM_URL</c>, then <see cref="DefaultIamUrl"/>.</summary>
    public string? IamUrl { get; set; }

    /// <summary>The <c>version</c> query parameter every call carries; <see cref="DefaultApiVersion"/> when unset.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>The model used when a request names none (for example <c>ibm/granite-3-3-8b-instruct</c>).</summary>
    public string? Model { get; set; }

    /// <summary>How many prompts of a raw batch are in flight at once. At least 1; 4 when unset.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>How long before its expiry a token is refreshed; 5 minutes (at most a fifth of the token's life) when unset.</summary>
    public TimeSpan? TokenRefreshMargin { get; set; }

    /// <summary>The clock token expiry is measured against; the system clock when unset (tests pass a fake one).</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Returns a copy.</summary>
    public WatsonxBackendOptions Clone() => new()
    {
        BaseUrl = BaseUrl,
        ApiKey = ApiKey,
        ProjectId = ProjectId,
        SpaceId = SpaceId,
        IamUrl = IamUrl,
        ApiVersion = ApiVersion,
        Model = Model,
        MaxConcurrency = MaxConcurrency,
        TokenRefreshMargin = TokenRefreshMargin,
        TimeProvider = TimeProvider,
    };

    /// <inheritdoc/>
    public override string ToString() =>
        $"WatsonxBackendOptions(url={BaseUrl ?? "(env)"}, model={Model ?? "(unset)"}, project={ProjectId ?? "(env)"}, key={(ApiKey is null ? "unset" : "set")})";
}
