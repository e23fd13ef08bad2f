// The app's user-assigned managed identity. User-assigned rather than system-assigned so that its
// role assignments exist before the Function App first starts (no race on the first cold start),
// and so the same principal survives deleting and recreating the app.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id

@description('Client (application) id: what AZURE_CLIENT_ID and the __clientId settings name.')
output clientId string = identity.properties.clientId

@description('Object id of the service principal, used by role assignments.')
output principalId string = identity.properties.principalId
