# espcompose.cmake: build espcompose flash images as part of a CMake (or ESP-IDF) build.
#
#   include(path/to/espcompose.cmake)
#   espcompose_add_image(NAME factory
#                        MANIFEST espcompose.hcl
#                        DEPENDS app.elf            # targets whose outputs the manifest reads
#                        OUTPUT_DIR ${CMAKE_BINARY_DIR}/factory
#                        VARS app_version=1.2.0)    # -var name=value, optional
#
# It adds a target NAME (part of ALL) that runs `espcompose build`. espcompose writes a
# depfile listing every file the build read (the manifest, images, keys, CSVs, the files
# of filesystem folders), which Ninja and Make read (DEPFILE), so the image is rebuilt
# exactly when one of them changes and an unchanged build runs nothing.
#
# The espcompose binary is ${ESPCOMPOSE} (configure with -DESPCOMPOSE=/path/to/espcompose),
# else `espcompose` on PATH. Needs CMake 3.20 (DEPFILE for the Makefile generators and
# policy CMP0116, which makes Ninja read the depfile's paths as CMake means them).
cmake_minimum_required(VERSION 3.20)

if(NOT ESPCOMPOSE)
  find_program(ESPCOMPOSE espcompose)
  if(NOT ESPCOMPOSE)
    message(FATAL_ERROR "espcompose not found: configure with -DESPCOMPOSE=/path/to/espcompose, or "
                        "go install github.com/espcompose/espcompose/cmd/espcompose@latest")
  endif()
endif()

# Functions record the policies in effect where they are defined.
cmake_policy(PUSH)
cmake_policy(SET CMP0116 NEW)

function(espcompose_add_image)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "" "NAME;MANIFEST;OUTPUT_DIR" "DEPENDS;VARS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "espcompose_add_image: unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_NAME OR NOT ARG_MANIFEST)
    message(FATAL_ERROR "espcompose_add_image: NAME and MANIFEST are required")
  endif()
  cmake_path(ABSOLUTE_PATH ARG_MANIFEST BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE OUTPUT_VARIABLE manifest)
  if(NOT EXISTS "${manifest}")
    message(FATAL_ERROR "espcompose_add_image(${ARG_NAME}): manifest ${manifest} does not exist")
  endif()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}")
  endif()
  cmake_path(ABSOLUTE_PATH ARG_OUTPUT_DIR BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}" NORMALIZE OUTPUT_VARIABLE out)

  # The stamp is touched after every successful build: espcompose leaves an up-to-date
  # output folder untouched (its mtime would stay older than an edited input), so the
  # stamp, not the folder, is what the build tool compares with the inputs.
  set(stamp "${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}.espcompose.stamp")
  set(depfile "${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}.espcompose.d")
  set(vars "")
  foreach(v IN LISTS ARG_VARS)
    list(APPEND vars "--var=${v}")
  endforeach()
  set(tool_dep "")
  if(IS_ABSOLUTE "${ESPCOMPOSE}")
    set(tool_dep "${ESPCOMPOSE}") # a new espcompose rebuilds too
  endif()

  add_custom_command(
    OUTPUT "${stamp}"
    COMMAND "${ESPCOMPOSE}" build -f "${manifest}" -o "${out}"
            --cache-dir "${CMAKE_CURRENT_BINARY_DIR}/espcompose-cache"
            --depfile "${depfile}" --depfile-target "${stamp}" ${vars}
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS "${manifest}" ${ARG_DEPENDS} ${tool_dep}
    DEPFILE "${depfile}"
    COMMENT "espcompose: ${ARG_NAME} -> ${out}"
    VERBATIM)
  add_custom_target(${ARG_NAME} ALL DEPENDS "${stamp}")
  set_target_properties(${ARG_NAME} PROPERTIES
    ESPCOMPOSE_MANIFEST "${manifest}"
    ESPCOMPOSE_OUTPUT_DIR "${out}")
endfunction()

cmake_policy(POP)
