99bbd820119463456b6a15cfc762e77fc932065f28c6006b78e1d759b9a85b42
{"event":{"type":"call.aborted","data":{"call":{"id":"c1","status":"aborted"}}}}