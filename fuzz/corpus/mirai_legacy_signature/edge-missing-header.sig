
{"event":{"type":"call.aborted","data":{"call":{"id":"c1","status":"aborted"}}}}