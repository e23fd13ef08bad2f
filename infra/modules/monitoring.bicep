// Application Insights backed by a Log Analytics workspace (workspace-based; classic mode is retired).
// Local (key) authentication is off: the app sends telemetry with its managed identity, which needs
// the Monitoring Metrics Publisher role (assigned in main.bicep).

@description('Name of the Log Analytics workspace.')
param workspaceName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Days to keep logs in the workspace.')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Object id of the identity that sends telemetry (gets Monitoring Metrics Publisher).')
param publisherPrincipalId string

@description('Stable name of that identity, known at compile time: it seeds the role assignment name.')
param publisherName string

// Built-in role: Monitoring Metrics Publisher (the role Entra-authenticated ingestion needs).
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, publisherName, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: publisherPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
  }
}

@description('Resource id of the Application Insights component (scope of the metrics publisher role).')
output appInsightsId string = appInsights.id

@description('Name of the Application Insights component.')
output appInsightsName string = appInsights.name

@description('Connection string: not a secret (it identifies, it does not authorize, once local auth is off).')
output connectionString string = appInsights.properties.ConnectionString
