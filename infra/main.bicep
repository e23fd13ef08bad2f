// Everything the MLOps Functions app needs in one resource group:
//   user-assigned identity -> storage (no keys) + data-plane roles -> Log Analytics + App Insights
//   -> Flex Consumption plan + Function App (.NET isolated worker, Durable task hub on that storage).
// Deploy with:  az deployment group create -g RG -f infra/main.bicep -p infra/env/dev.bicepparam
// (docs/deploy.md walks through it). The app code goes in afterwards as a zip (tools/publish).

targetScope = 'resourceGroup'

@description('Environment name; part of every resource name and tag.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

@description('Short name of the workload: lowercase letters and digits, 2-10 characters.')
@minLength(2)
@maxLength(10)
param workloadName string = 'mlops'

@description('Azure region; must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('Storage replication.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_LRS'

@description('Flex Consumption instance memory in MB (512, 2048 or 4096); training wants 4096.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 4096

@description('Most instances the app may scale out to (40-1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Days to keep logs in Log Analytics.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Days a deleted blob or container stays recoverable.')
@minValue(1)
@maxValue(365)
param softDeleteDays int = 7

@description('Extra tags for every resource.')
param extraTags object = {}

@description('Client id of the Entra ID app registration behind App Service authentication, which guards the HTTP API and the dashboard (/api/ui/) alike. Empty: every request but the health probes gets 401 until it is set.')
param authClientId string = ''

@description('Entra ID tenant that issues the sign-in tokens.')
param authTenantId string = tenant().tenantId

// Stable per resource group, so a redeploy updates instead of duplicating.
var suffix = take(uniqueString(subscription().id, resourceGroup().id, environmentName), 6)
var baseName = '${workloadName}-${environmentName}-${suffix}'
var tags = union(extraTags, {
  workload: workloadName
  environment: environmentName
})

// DESIGN.md §4, from the one list the app is checked against (tests/Mlops.FunctionApp.Tests, end to end). Durable's own queues,
// tables and lease blobs are created by the host under the task hub.
var storageLayout = loadJsonContent('storage-layout.json')
var dataContainers = storageLayout.containers
var dataTables = storageLayout.tables
var deploymentContainer = 'app-package'
// Names known at compile time (not module outputs), so what-if can predict the role assignments.
var identityName = 'id-${baseName}'
var storageAccountName = take('st${workloadName}${environmentName}${suffix}', 24)
// Task hub: letters and digits only, starting with a letter (Azure Storage naming for its tables and queues).
var taskHubName = 'mlops${environmentName}'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
    skuName: storageSku
    containerNames: dataContainers
    tableNames: dataTables
    queueNames: []
    deploymentContainerName: deploymentContainer
    softDeleteDays: softDeleteDays
  }
}

module storageRoles 'modules/storage-roles.bicep' = {
  name: 'storage-roles'
  params: {
    storageAccountName: storageAccountName
    principalId: identity.outputs.principalId
    principalName: identityName
  }
  dependsOn: [
    storage
  ]
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: 'log-${baseName}'
    appInsightsName: 'appi-${baseName}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
    publisherPrincipalId: identity.outputs.principalId
    publisherName: identityName
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: 'func-${baseName}'
    planName: 'plan-${baseName}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainer
    appInsightsConnectionString: monitoring.outputs.connectionString
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    taskHubName: taskHubName
    environmentName: environmentName
    authClientId: authClientId
    authTenantId: authTenantId
  }
  // The host reaches storage only through these roles: grant them before the app first starts.
  dependsOn: [
    storageRoles
  ]
}

@description('Function App name: the target of the zip deployment.')
output functionAppName string = functionApp.outputs.name

@description('Base URL of the app.')
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'

@description('Storage account name (data and Durable task hub).')
output storageAccountName string = storage.outputs.name

@description('Durable Functions task hub name.')
output taskHubName string = taskHubName

@description('Application Insights component name.')
output appInsightsName string = monitoring.outputs.appInsightsName
