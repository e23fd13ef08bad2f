// Event Grid delivery for the app's blob trigger (uploads to incoming/), deployed after the code.
//
// Why a second template: Flex Consumption supports blob triggers only with the Event Grid source
// (BlobTriggerSource.EventGrid on the function). Event Grid calls the host's blobs extension webhook,
// /runtime/webhooks/blobs?functionName=Host.Functions.<Function>&code=<blobs_extension system key>,
// and that key exists only after the host has started once with the blob extension loaded, i.e.
// after the zip deployment. deploy-environment.yml runs this template right after the zip.
// Locally, tools/func start delivers the same trigger by watching the container.

targetScope = 'resourceGroup'

@description('Name of the Function App (output functionAppName of main.bicep).')
param functionAppName string

@description('Name of the storage account whose incoming/ container receives uploads (output storageAccountName of main.bicep).')
param storageAccountName string

@description('Azure region of the storage account.')
param location string = resourceGroup().location

@description('The blob-triggered function that ingests uploads (its [Function] name).')
param ingestFunctionName string = 'IngestUpload'

@description('The container the blob trigger watches.')
param incomingContainer string = 'incoming'

@description('Tags applied to every resource.')
param tags object = {}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource app 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource topic 'Microsoft.EventGrid/systemTopics@2024-06-01-preview' = {
  name: '${storageAccountName}-blob-events'
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2024-06-01-preview' = {
  parent: topic
  name: 'ingest-uploads'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        // The extension validates the subscription handshake itself; the system key authorises Event Grid.
        endpointUrl: 'https://${app.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${ingestFunctionName}&code=${listKeys('${app.id}/host/default', '2024-04-01').systemKeys.blobs_extension}'
        maxEventsPerBatch: 1
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${incomingContainer}/'
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

@description('Resource id of the Event Grid system topic on the storage account.')
output systemTopicId string = topic.id
