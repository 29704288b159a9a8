import { Type } from '@sinclair/typebox'
import { Dict } from './kinds.js'

/** `metadata`: a JSON object of anything (typed as a record for the programmatic API's users). */
export const Metadata = Dict()

export const Detail = Type.Object({ detail: Type.String() })

export const ValidationError = Type.Record(Type.String(), Type.Array(Type.String()), {
  description: 'Field-keyed error map; `non_field_errors` carries errors not bound to one field.'
})

export const PartitionHeaders = Type.Object({
  'x-simple-workspace': Type.String({ description: 'Workspace (account) identifier. Required for every request.' }),
  'x-piriod-test-mode': Type.Optional(Type.Boolean({ default: false, description: 'Whether to operate against test-mode data.' }))
})

export const ScopeHeaders = Type.Object({
  'x-simple-workspace': Type.Optional(Type.String({ description: 'Limits the call to one workspace.' })),
  'x-piriod-test-mode': Type.Optional(Type.Boolean({ description: 'Limits the call to one mode.' }))
})
