344ef538181bb7abcc0febe948d658f3f9f8b0c8fe81ab7372b0e48aada91888
{"event":{"type":"call.aborted","data":{"call":{"id":"c1","status":"aborted"}}}}