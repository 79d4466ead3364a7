# The OpenAI-compatible fixture library, defined once by whichever test folder comes first (a
# folder may be built alone with -DSPINDLE_EXTRA_TEST_DIRS=tests/<folder>).
if(NOT TARGET spindle_openaifixture)
    qt_add_library(spindle_openaifixture STATIC
        ${CMAKE_CURRENT_LIST_DIR}/openaifixture.h
        ${CMAKE_CURRENT_LIST_DIR}/openaifixture_p.h
        ${CMAKE_CURRENT_LIST_DIR}/openaifixture.cpp
        ${CMAKE_CURRENT_LIST_DIR}/openaifixtureanswers.cpp)
    target_include_directories(spindle_openaifixture PUBLIC ${CMAKE_CURRENT_LIST_DIR}/..)
    target_link_libraries(spindle_openaifixture PUBLIC Qt6::Core PkgConfig::HTTPLIB)
endif()
