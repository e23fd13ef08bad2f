// The Function App (a .NET isolated-worker app), on a Flex Consumption (FC1, Linux) plan.
//
// Why Flex Consumption: training runs as a Durable activity, and the Consumption plan stops a
// function after 10 minutes with 1.5 GB of memory. Flex Consumption lifts the timeout (default 30
// minutes, no enforced maximum; a running execution gets a 60-minute grace period when the platform
// scales in) and offers 2 GB or 4 GB instances, while still scaling to zero. The app is a standard
// .NET isolated-worker app: functionAppConfig.runtime is { name: 'dotnet-isolated', version: '10.0' },
// and the host-side extensions (Durable, Blobs, Timer) come from the worker build's .azurefunctions/
// folder inside the package, so no extension bundle is configured.
//
// Flex Consumption takes the worker runtime from functionAppConfig.runtime and rejects the
// FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION / WEBSITE_RUN_FROM_PACKAGE app settings
// (the platform sets FUNCTIONS_WORKER_RUNTIME=dotnet-isolated in the process environment itself).
//
// Blob triggers on Flex Consumption must use the Event Grid source; the system topic and its
// subscription are in ../blob-events.bicep, deployed after the code (the subscription's webhook
// needs the host's blobs_extension key, which exists only once the app has started).

@description('Function App name (globally unique: it becomes NAME.azurewebsites.net).')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Name of the storage account (AzureWebJobsStorage and app data).')
param storageAccountName string

@description('Blob endpoint of the storage account, with trailing slash.')
param blobEndpoint string

@description('Queue endpoint of the storage account.')
param queueEndpoint string

@description('Table endpoint of the storage account.')
param tableEndpoint string

@description('Private container that holds the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string.')
param appInsightsConnectionString string

@description('Memory per instance in MB. Training wants the largest size.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Most instances the app may scale out to (40-1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Durable Functions task hub name (3-45 letters and digits, starting with a letter); host.json refers to it as %DURABLE_TASK_HUB_NAME%.')
@minLength(3)
@maxLength(45)
param taskHubName string

@description('How often the drift and live-quality check runs (six-field NCRONTAB).')
param driftSchedule string = '0 */15 * * * *'

@description('How often projects\' retraining schedules are checked (six-field NCRONTAB).')
param retrainCheckSchedule string = '0 */5 * * * *'

@description('Environment name, given to the app as MLOPS_ENVIRONMENT.')
param environmentName string

@description('Client id of the Entra ID app registration for App Service authentication; empty locks the app (401) but for the health probes.')
param authClientId string

@description('Entra ID tenant of that registration.')
param authTenantId string

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true // Linux
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [
        // Identity-based host storage: the host, the blob/queue triggers and the Durable extension
        // (connection name "Storage" resolves to AzureWebJobsStorage) all read these. Durable needs
        // the three service URIs, not only the account name.
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storageAccountName
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identityClientId
        }
        {
          name: 'AzureWebJobsStorage__blobServiceUri'
          value: blobEndpoint
        }
        {
          name: 'AzureWebJobsStorage__queueServiceUri'
          value: queueEndpoint
        }
        {
          name: 'AzureWebJobsStorage__tableServiceUri'
          value: tableEndpoint
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsightsConnectionString
        }
        {
          // Local auth is off on the component: telemetry goes in with the identity.
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'ClientId=${identityClientId};Authorization=AAD'
        }
        {
          // DefaultAzureCredential in the handler picks the user-assigned identity from this.
          name: 'AZURE_CLIENT_ID'
          value: identityClientId
        }
        {
          name: 'DURABLE_TASK_HUB_NAME'
          value: taskHubName
        }
        {
          name: 'MLOPS_ENVIRONMENT'
          value: environmentName
        }
        {
          // Timer schedules the functions read as %SETTING% (six-field NCRONTAB).
          name: 'MLOPS_DRIFT_SCHEDULE'
          value: driftSchedule
        }
        {
          name: 'MLOPS_RETRAIN_CHECK_SCHEDULE'
          value: retrainCheckSchedule
        }
        {
          // The feature store's timer: materialises each view whose own schedule is due.
          name: 'MLOPS_FEATURES_SCHEDULE'
          value: '0 */5 * * * *'
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// App Service authentication (Easy Auth) in front of everything the app serves: the HTTP API and the dashboard
// (/api/ui/) get the same protection, before a request reaches the worker. The functions themselves are anonymous
// (locally the app is open, like the rest of the API); function keys are not used because a browser page cannot hold
// one safely. Browsers are sent to the Entra ID sign-in page; API clients send a bearer token for the registration
// (audience api://CLIENT_ID); the dashboard's own calls ride on the sign-in cookie. Left out: the health probes the
// deployment's smoke test and load balancers call, and the blob extension's Event Grid webhook, which Event Grid
// authorizes with the host's blobs_extension key.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: empty(authClientId) ? 'Return401' : 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: [
        '/api/health'
        '/api/v2/health/ready'
        '/runtime/webhooks/blobs'
      ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: !empty(authClientId)
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: empty(authClientId) ? [] : [
            'api://${authClientId}'
            authClientId
          ]
        }
      }
    }
    httpSettings: {
      requireHttps: true
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

// No FTP and no basic-auth publishing: deployments authenticate with Entra ID (OIDC in CI).
resource ftpPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('Name of the Function App.')
output name string = app.name

@description('Default host name, e.g. NAME.azurewebsites.net.')
output defaultHostName string = app.properties.defaultHostName
