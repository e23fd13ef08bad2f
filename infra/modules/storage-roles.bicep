// Data-plane roles for the app's identity on the storage account. With shared keys off these are the
// only way in. The three roles are the ones the Functions host and the Durable Task Azure Storage
// provider document for identity-based connections: blobs (leases, task hub large messages, the
// deployment package), queues (control and work-item queues, queue triggers), tables (history and
// instances, plus the app's own tables).

@description('Name of the storage account (in this resource group).')
param storageAccountName string

@description('Object id of the principal that receives the roles.')
param principalId string

@description('Stable name of the principal (e.g. the identity name), known at compile time: it seeds the assignment names so what-if can predict them.')
param principalName string

@description('Kind of principal; ServicePrincipal avoids a replication race for a brand-new identity.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param principalType string = 'ServicePrincipal'

// Built-in role definition ids (the same in every tenant).
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in [storageBlobDataOwner, storageQueueDataContributor, storageTableDataContributor]: {
    name: guid(account.id, principalName, roleId)
    scope: account
    properties: {
      principalId: principalId
      principalType: principalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]
