# Finds libpcap and defines the imported target PCAP::PCAP.
include(${CMAKE_CURRENT_LIST_DIR}/ImportedLibrary.cmake)
faultline_find_imported(PCAP PCAP::PCAP pcap/pcap.h pcap)
