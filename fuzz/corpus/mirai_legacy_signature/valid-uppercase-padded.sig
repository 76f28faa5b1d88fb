  344EF538181BB7ABCC0FEBE948D658F3F9F8B0C8FE81AB7372B0E48AADA91888 
{"event":{"type":"call.aborted","data":{"call":{"id":"c1","status":"aborted"}}}}