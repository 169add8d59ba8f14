"""The live service: REST, Chatwoot webhook, websockets for agents and supervisors, pages."""
