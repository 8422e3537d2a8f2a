/* The files the flame graph page inlines, each NUL-terminated.  Paths are
 * relative to the repository, where make runs the assembler;
 * profiler/web/node_modules comes from `make web-assets` (npm ci). */
    .section .rodata
    .global page_template, page_css, page_d3, page_flamegraph, page_model, page_js

page_template:
    .incbin "profiler/web/page.html"
    .byte 0
page_css:
    .incbin "profiler/web/node_modules/d3-flame-graph/dist/d3-flamegraph.css"
    .byte 0
page_d3:
    .incbin "profiler/web/node_modules/d3/dist/d3.min.js"
    .byte 0
page_flamegraph:
    .incbin "profiler/web/node_modules/d3-flame-graph/dist/d3-flamegraph.min.js"
    .byte 0
page_model:
    .incbin "profiler/web/model.js"
    .byte 0
page_js:
    .incbin "profiler/web/page.js"
    .byte 0

    .section .note.GNU-stack,"",@progbits
